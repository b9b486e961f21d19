"""``hfx clu cleanup``: delete orphaned ``hfx-`` model projects (added to ``hfx clu`` by :func:`register_cleanup`)."""

from __future__ import annotations

import typer

from hfx.backends.clu_cleanup import cleanup_orphans
from hfx.cli.clu_options import Connection, clu_errors, connection_options, say
from hfx.cli.common import plural
from hfx.cli.exits import EXIT_FAIL
from hfx.cli.options import data_dir_option


def register_cleanup(clu_app: typer.Typer) -> None:
    """Add ``cleanup`` to the ``hfx clu`` group."""

    @clu_app.command("cleanup")
    @clu_errors
    @connection_options(jobs=False)
    def cleanup_cmd(
        data_dir: str = data_dir_option(
            "The data dir of `hfx serve --backend clu` (its clu-models.json registry names the projects to keep)."
        ),
        older_than: float = typer.Option(
            None,
            "--older-than",
            min=0,
            metavar="HOURS",
            help="Only projects created at least HOURS ago (protects trainings that are still running).",
        ),
        dry_run: bool = typer.Option(False, "--dry-run", help="List what would be deleted; delete nothing."),
        force: bool = typer.Option(
            False,
            "--force",
            help="Run even when --data-dir holds no registry (every hfx- model project then counts as orphaned).",
        ),
        *,
        conn: Connection,
    ) -> None:
        """Delete `hfx-` model projects that no model in the registry knows (left by crashes or lost cancels).

        Exit code 0 when every orphan was deleted (or listed with --dry-run), 1 when a deletion failed, 2 when
        --data-dir holds no registry (without --force) or on bad usage.
        """
        with conn.client() as client:
            result = cleanup_orphans(client, data_dir, older_than_hours=older_than, dry_run=dry_run, force=force)
        verb = "would delete" if dry_run else "deleted"
        for name in result.deleted:
            say(f"{verb} {name}")
        for name in result.kept:
            say(f"kept {name} (younger than {older_than:g} h)")
        for name in result.failed:
            say(f"could not delete {name}")
        done = "to delete (dry run)" if dry_run else "deleted"
        say(
            f"{plural(len(result.deleted), 'orphaned project')} {done}, {len(result.kept)} kept, "
            f"{len(result.failed)} failed"
        )
        if result.failed:
            raise typer.Exit(EXIT_FAIL)
