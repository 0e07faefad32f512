"""The ``cac`` command as a user runs it: exit codes, JSON shapes, one-line errors."""

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from cac import __version__
from cac.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_version_and_help():
    assert run("--version").stdout.strip() == f"cac {__version__}"
    result = run("--help")
    assert result.exit_code == 0 and "codes" in result.stdout and "codesets" in result.stdout


def test_console_script_runs_in_a_real_process(store):
    out = subprocess.run(
        [sys.executable, "-m", "cac", "codes", "show", "ICD-10-CM", "E11.22", "--json"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=True,
    )
    data = json.loads(out.stdout)
    assert data["code"] == "E11.22" and data["billable"] is True


def test_show_json_keys_and_values(store):
    result = run("codes", "show", "ICD-10-CM", "E11.22", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {"system", "code", "title", "billable", "parent", "notes", "hcc"} <= set(data)
    assert data["parent"] == "E11.2"
    assert data["hcc"] == ["HCC37"]
    assert any("N18" in n for n in data["notes"]["use_additional_code"])


def test_show_category_lists_excludes1(store):
    data = json.loads(run("codes", "show", "icd10cm", "E11", "--json").stdout)
    assert data["billable"] is False and data["notes"]["excludes1"]


def test_show_text_output_names_the_code(store):
    result = run("codes", "show", "ICD-10-CM", "E11.22")
    assert result.exit_code == 0 and "E11.22" in result.stdout and "billable" in result.stdout


def test_search_json(store):
    result = run(
        "codes",
        "search",
        "type 2 diabetes with chronic kidney disease",
        "--system",
        "ICD-10-CM",
        "--json",
        "--limit",
        "3",
    )
    assert result.exit_code == 0
    assert "E11.22" in [h["code"] for h in json.loads(result.stdout)]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("codes", "show", "ICD-9", "250.00"), "unknown code system"),
        (("codes", "show", "ICD-10-CM", "E1"), "malformed ICD-10-CM code"),
        (("codes", "show", "ICD-10-CM", "E11.99"), "does not exist"),
        (("codesets", "import", "icd10pcs", "/nonexistent/path"), "no such file"),
        (("codesets", "import", "icd9", "/tmp"), "unknown import kind"),
    ],
)
def test_bad_input_gives_one_line_error_and_nonzero_exit(store, args, needle):
    result = run(*args)
    assert result.exit_code != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0]
    assert "Traceback" not in result.output


def test_codesets_list_json(store):
    data = json.loads(run("codesets", "list", "--json").stdout)
    cm = next(r for r in data if r["system"] == "ICD-10-CM" and r["active"])
    assert cm["release"] == "2026" and cm["billable_count"] == 74719


def test_import_of_wrong_encoding_fails_cleanly(store, tmp_path):
    bad = tmp_path / "cpt_latin1.csv"
    bad.write_bytes("code,description\n45380,Invent\xe9 text\n".encode("latin-1"))
    before = run("codesets", "list", "--json").stdout
    result = run("codesets", "import", "cpt", str(bad))
    assert result.exit_code == 2 and "not valid utf-8" in result.stderr
    assert run("codesets", "list", "--json").stdout == before
