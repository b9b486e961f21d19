"""Azure CLU: REST client and local emulator (usable without the server)."""
