"""SEM-018: export and template answer files; an import takes a multipart file whose rows become deals."""

from __future__ import annotations

from conformance.checks._common import fill_path
from conformance.context import CheckRun
from conformance.fixtures import Created
from conformance.invariants._common import list_items, op_of, succeeded
from conformance.invariants.revorbit.catalogue import about_values, abouts_of
from conformance.invariants.revorbit.credentials import call, credential_for
from conformance.invariants.revorbit.records import create_own, open_stages
from conformance.registry import scenario
from crmspec.model import Operation


def _csv_header(run: CheckRun) -> list[str]:
    """The import template's columns (001 GET /deals/template), with name and stage_id, which a deal needs."""
    template = run.api.find("deals", "import_template")
    exchange = call(run, template) if template is not None else None
    first = exchange.body.decode("utf-8", "replace").splitlines()[:1] if exchange and exchange.status == 200 else []
    columns = [c.strip() for c in first[0].split(",")] if first else []
    return columns + [c for c in ("name", "stage_id") if c not in columns]


def _import(run: CheckRun, op: Operation, cases: set[str]) -> None:
    stages = open_stages(run)
    if not stages:
        return
    word = f"crmconf{run.ctx.options.seed}i{run.fixtures.counter}z"
    run.fixtures.counter += 1
    header = _csv_header(run)
    row = {"name": f"{word} imported", "stage_id": stages[0]["id"]}
    text = ",".join(header) + "\n" + ",".join(str(row.get(c, "")) for c in header) + "\n"
    exchange = run.target.send(op.method.upper(), op.path, operation=str(op), credential=credential_for(run, op),
                               files={"file": ("crmconf-deals.csv", text.encode(), "text/csv")})
    listed = op_of(run, "deals", "list")
    found, deals = list_items(run, listed, search=word, scope="company")
    for deal in deals:  # X11: what the import made is the suite's own, deleted at the end
        run.fixtures.created.append(Created("deals", deal.get("id"), deal, found))
    if "import" in cases:
        run.expect(succeeded(exchange), exchange, f"importing a file in the template's format answered "
                   f"{exchange.status}", about={"case": "import"})
    if "imported" in cases and succeeded(exchange):
        run.expect(bool(deals), found, f"the imported row ({word}) is not among the deals", about={"case": "imported"})


@scenario("SEM-018", "semantics", "Export and template answer files; an import takes a multipart file whose rows "
          "become deals", "MUST",
          "001 GET /deals/export 'Export deal data', GET /deals/template, POST /deals/import with the file in the "
          "part 'file' (curl -F 'file=@...'); X7 files are exempt from JSON; X11 the suite imports only rows of its "
          "own; 000 quotes 'with PDF export' (SHOULD)")
def ro_files(run: CheckRun) -> None:
    """Reports about: case export, exported, template, import, imported or pdf."""
    for op in (o for o in run.api.operations if abouts_of(run, o)):
        cases = about_values(run, op, "case")
        if credential_for(run, op) is None:
            continue
        if op.action == "import":
            _import(run, op, cases)
            continue
        made = create_own(run, op.resource) if op.action == "pdf" or "exported" in cases else None
        if made is None and op.path_params:
            continue
        exchange = call(run, op, fill_path(run, op, made.id) if made is not None and op.path_params else None)
        for case in cases & {"export", "template", "pdf"}:
            run.expect(exchange.status == 200 and bool(exchange.body.strip()), exchange, f"{op} answered "
                       f"{exchange.status} with {len(exchange.body)} bytes", about={"case": case})
        if "pdf" in cases:
            run.expect(exchange.content_type == "application/pdf" and exchange.body.startswith(b"%PDF"), exchange,
                       f"the quote's PDF comes as {exchange.content_type or 'no content type'}",
                       about={"case": "pdf"})
        if "exported" in cases and made is not None and exchange.status == 200:
            name = str(made.record.get("name") or made.exchange.request_body.get("name"))
            run.expect(name in exchange.body.decode("utf-8", "replace"), exchange, f"the export lacks deal {made.id} "
                       f"({name})", about={"case": "exported"})
