import io
import json

import pytest

from nettpatrulje.triage.cli import run_eval, run_triage


def test_run_triage_writes_contract_fields(engine):
    infile = io.StringIO(
        '{"id": "a", "text": "min fødselsnummer er 15108695088"}\n'
        "\n"
        '{"id": "b", "text": "moi", "agency_country": "FI"}\n'
    )
    out = io.StringIO()
    assert run_triage(infile, out, "NO") == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    for row in rows:
        assert {
            "language",
            "category",
            "urgency",
            "flags",
            "redacted_text",
            "pii",
            "explanation",
        } <= set(row)
    assert rows[0]["pii"][0]["type"] == "national_id"
    assert rows[1]["language"] == "fi"


@pytest.mark.parametrize(
    ("data", "line"),
    [('{"id": "a", "text": "hei"}\nnot json\n', 2), ('{"id": "a"}\n', 1), ("[1, 2]\n", 1)],
)
def test_run_triage_rejects_malformed_lines(engine, capsys, data, line):
    assert run_triage(io.StringIO(data), io.StringIO(), None) == 2
    assert f"line {line}" in capsys.readouterr().err


def test_run_eval_report(engine, tmp_path):
    path = tmp_path / "eval.jsonl"
    rows = [
        {
            "id": "1",
            "text": "hei",
            "language": "nb",
            "category": "other",
            "urgency": "low",
            "flags": [],
        },
        {
            "id": "2",
            "text": "I want to report that my bike was stolen",
            "language": "en",
            "category": "report_request",
            "urgency": "normal",
            "flags": [],
        },
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    out = io.StringIO()
    assert run_eval(path, out) == 0
    text = out.getvalue()
    for needle in (
        "macro-F1",
        "emergency recall",
        "language accuracy",
        "flag micro-F1",
        "messages/s",
        "confusion",
    ):
        assert needle in text
    out = io.StringIO()
    assert run_eval(path, out, as_json=True) == 0
    assert json.loads(out.getvalue())["count"] == 2


def test_run_eval_malformed(engine, tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "1", "text": "x"}\n', encoding="utf-8")
    assert run_eval(path, io.StringIO()) == 2
    assert "line 1" in capsys.readouterr().err


def test_management_command(engine, tmp_path):
    django = pytest.importorskip("django")
    from django.conf import settings

    try:
        if not settings.configured:
            settings.configure(INSTALLED_APPS=["nettpatrulje.triage"])
        django.setup()
        from django.core.management import call_command
    except Exception as exc:  # settings of the project not importable yet
        pytest.skip(f"Django cannot be configured: {exc}")
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "x", "text": "hei"}\n', encoding="utf-8")
    dst = tmp_path / "out.jsonl"
    call_command("triage", input=str(src), output=str(dst), country="NO")
    assert json.loads(dst.read_text(encoding="utf-8"))["id"] == "x"
