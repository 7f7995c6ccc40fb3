"""``flask --app grants documents …``: render one document, or a sample of every kind.

- ``documents render KIND --id ID --out FILE``: render one document from the database, for
  example ``documents render needs-analysis --id 3 --out needs.pdf``.
- ``documents samples OUTDIR [--kind KIND …]``: write one sample PDF of each registered kind (or
  of each kind named), to check how each looks: from the newest suitable object in the database
  where the kind can pick one, otherwise (or when the database has none) from the kind's built-in
  sample values, saying which.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from grants.documents import registry

documents_cli = AppGroup("documents", help="Render PDF documents (needs-analysis report, …).")


def _known_kind(kind: str, param_hint: str) -> registry.DocumentKind:
    """The registered kind of that name; an unknown name is refused with the known ones listed."""
    try:
        return registry.get(kind)
    except KeyError:
        known = ", ".join(registry.kinds())
        raise click.BadParameter(f"{kind} is not a kind of document; known kinds: {known}",
                                 param_hint=param_hint) from None


@documents_cli.command("render")
@click.argument("kind")
@click.option("--id", "object_id", type=int, required=True, help="The id of the object to render.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The PDF file to write.")
def render(kind: str, object_id: int, out: Path) -> None:
    """Render one document of KIND (for example needs-analysis) to a PDF file."""
    document = _known_kind(kind, "KIND")
    try:
        values = document.load(object_id)
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    out.write_bytes(document.render(values))
    click.echo(f"Wrote {document.title.lower()} to {out}.")


@documents_cli.command("samples")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--kind", "only", multiple=True,
              help="Only this kind of document (repeat for several; every kind without it).")
def samples(outdir: Path, only: tuple[str, ...]) -> None:
    """Write one sample PDF of every kind of document (or of each --kind) into OUTDIR."""
    for name in only:
        _known_kind(name, "--kind")
    outdir.mkdir(parents=True, exist_ok=True)
    for name, document in registry.kinds().items():
        if only and name not in only:
            continue
        path = outdir / f"sample-{name}.pdf"
        object_id = document.example() if document.example else None
        if object_id is None:
            values = document.sample()
            source = ("built-in sample values: the database has none to show" if document.example
                      else "built-in sample values")
        else:
            values = document.load(object_id)
            source = f"id {object_id} in the database"
        path.write_bytes(document.render(values))
        click.echo(f"{document.title}: {path} ({source})")
