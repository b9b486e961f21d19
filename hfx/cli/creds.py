"""``hfx creds``: generate and check mTLS credentials in HumanFirst's credentials-JSON format."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Annotated

import typer

from hfx.cli.common import err_console, error_console, out_console
from hfx.cli.exits import EXIT_FAIL, handle_errors

creds_app = typer.Typer(
    name="creds",
    help="Generate and check mTLS credentials in HumanFirst's credentials-JSON format.",
    no_args_is_help=True,
)


@creds_app.command("generate")
@handle_errors
def creds_generate(
    outdir: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder for credentials.json, client.crt/key, server.crt.")
    ],
    host: Annotated[
        list[str] | None,
        typer.Option(
            "--host",
            metavar="NAME",
            help="Extra DNS name or IP for the server certificate (repeatable; localhost, 127.0.0.1 "
            "and ::1 are always included).",
            envvar="HFX_CREDS_HOSTS",
        ),
    ] = None,
    days: Annotated[
        int, typer.Option("--days", min=1, metavar="DAYS", help="Validity in days.", envvar="HFX_CREDS_DAYS")
    ] = 365,
    force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
) -> None:
    """Write server credentials (HumanFirst format) plus a matching client certificate and key.

    For trying and testing `hfx serve` without a HumanFirst account. Private keys are written 0600.
    """
    from hfx.server.tls import generate_credentials

    files = generate_credentials(outdir, hosts=host or (), days=days, overwrite=force)
    err_console.print(
        f"server credentials: {files.credentials}  (use: hfx serve --creds {files.credentials})", soft_wrap=True
    )
    err_console.print(f"client certificate: {files.client_cert}", soft_wrap=True)
    err_console.print(f"client key:         {files.client_key}", soft_wrap=True)
    err_console.print(f"server certificate: {files.server_cert}  (the client's trust root)", soft_wrap=True)
    err_console.print(f"client credentials: {files.client_credentials}  (same format, client side)", soft_wrap=True)


def _fmt_time(value: _dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


@creds_app.command("check")
@handle_errors
def creds_check(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="Credentials JSON (local_keypair + remote_certificate).")
    ],
) -> None:
    """Load a credentials file and print subjects, expiry and whether the key matches the certificate.

    Exit code 0 when usable, 1 when a certificate is expired/not yet valid or the key does not match, 2 when the
    file cannot be read.
    """
    from hfx.server.tls import cert_info, key_matches_certificate, load_credentials

    creds = load_credentials(file)
    now = _dt.datetime.now(_dt.timezone.utc)
    problems: list[str] = []
    for label, pem, where in (
        ("local certificate", creds.certificate, "/local_keypair/certificate"),
        ("remote certificate", creds.remote_certificate, "/remote_certificate"),
    ):
        info = cert_info(pem, source=str(file), where=where)
        left = (info.not_after - now).days
        state = f"{left} days left"
        if now > info.not_after:
            state = "EXPIRED"
        elif now < info.not_before:
            state = "NOT YET VALID"
        out_console.print(f"{label}: subject {info.subject}")
        out_console.print(f"  issuer   {info.issuer}")
        out_console.print(f"  valid    {_fmt_time(info.not_before)} .. {_fmt_time(info.not_after)} ({state})")
        if info.names:
            out_console.print(f"  names    {', '.join(info.names)}")
        if info.expired(now):
            problems.append(f"{label} {state.lower()}")
    matches = key_matches_certificate(creds.certificate, creds.private_key, source=str(file))
    out_console.print(f"private key matches local certificate: {'yes' if matches else 'NO'}")
    if not matches:
        problems.append("private key does not match the local certificate")
    if problems:
        error_console.print(f"[bold red]error:[/] {file}: {'; '.join(problems)}", soft_wrap=True)
        raise typer.Exit(EXIT_FAIL)
