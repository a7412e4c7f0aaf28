"""`design validate`'s result cache through the real command line (`run([...])`) and a real SQLite
database in a private cache folder: reruns read results instead of validating, every input of the key
invalidates, --no-cache and DESIGNER_NO_CACHE=1 turn it off, and a corrupt or foreign entry is ignored
(validated again), never trusted. Spies count the validations; the real validator still runs.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

import designer.validation as validation
from designer.cli.main import run
from designer.validation_cache import FORMAT, cacheable, run_key
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "policy" / "fixtures"

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:latest"}]
"""

BROKEN = """\
apiVersion: designer/v1
kind: Design
metadata: {name: broken}
components:
  - {name: app, kind: ConfigMap, apiVersion: v1, namespace: x, dependsOn: [missing]}
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of the test's own; returns the result database's path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("DESIGNER_NO_CACHE", raising=False)
    return tmp_path / "cache" / "designer" / "validate.sqlite3"


@pytest.fixture
def validated(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The files each run really validated (the real validator runs)."""
    calls: list[list[str]] = []
    real = validation.validate_each

    def spy(files: list[Path], *args: object, **kwargs: object) -> list[validation.FileResult]:
        calls.append([Path(f).name for f in files])
        return real(files, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(validation, "validate_each", spy)
    return calls


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "a-web.yaml").write_text(WEB)
    (folder / "b-loop.yaml").write_text(BROKEN)
    (folder / "c-design.yaml").write_text((FIXTURES / "design.yaml").read_text())
    return folder


def _validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_rerun_reads_every_result_and_reports_the_same(
    capsys: pytest.CaptureFixture[str], cache: Path, validated: list[list[str]], repo: Path
) -> None:
    for output in ("json", "text", "sarif", "junit", "github"):
        validated.clear()
        first = _validate(capsys, str(repo), "-o", output)
        second = _validate(capsys, str(repo), "-o", output)
        assert second == first
        assert first[0] == 3  # the broken design, carried through the cache like the findings
        assert validated == ([["a-web.yaml", "b-loop.yaml", "c-design.yaml"]] if output == "json" else [])
    doc = json.loads(_validate(capsys, str(repo), "-o", "json")[1])
    assert doc["summary"]["findings"] > 5 and "missing" in doc["errors"][0]["message"]
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT count(*) FROM results").fetchone() == (3,)


def test_forked_workers_store_the_results_of_their_files(
    capsys: pytest.CaptureFixture[str],
    cache: Path,
    validated: list[list[str]],
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each process writes the results it made (several processes at once into one database)."""
    forked: list[int] = []
    real_fork = validation._fork_child
    monkeypatch.setattr(validation, "_fork_child", lambda *a: forked.append(1) or real_fork(*a))
    first = _validate(capsys, str(repo), "-o", "json", "--jobs", "3")
    workers = len(forked)
    assert workers >= 1
    assert sorted(Path(f).name for f in _rows(cache)) == ["a-web.yaml", "b-loop.yaml", "c-design.yaml"]
    assert _validate(capsys, str(repo), "-o", "json", "--jobs", "3") == first
    assert len(validated) == 1 and len(forked) == workers  # the rerun neither validated nor forked


def test_a_changed_file_alone_is_validated_again(
    capsys: pytest.CaptureFixture[str], cache: Path, validated: list[list[str]], repo: Path
) -> None:
    _validate(capsys, str(repo), "-o", "json")
    (repo / "a-web.yaml").write_text(WEB.replace("nginx:latest", "nginx:1.27.2"))
    code, out, _ = _validate(capsys, str(repo), "-o", "json")
    assert validated[1:] == [["a-web.yaml"]]
    latest = [f for f in json.loads(out)["findings"] if f["id"] == "DSN-030"]
    assert [Path(f["file"]).name for f in latest] == ["c-design.yaml"]  # a-web's tag is no longer latest
    assert code == 3


def test_the_options_and_the_files_they_name_are_part_of_the_key(
    capsys: pytest.CaptureFixture[str], cache: Path, validated: list[list[str]], repo: Path, tmp_path: Path
) -> None:
    web = str(repo / "a-web.yaml")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers: []\n")
    runs = [
        [web],
        [web, "--no-annotation-waivers"],
        [web, "--no-builtin-policies"],
        [web, "--waivers", str(waivers)],
        [web, "--policy", str(FIXTURES / "conftest")],
    ]
    for args in runs:
        _validate(capsys, *args)
    assert len(validated) == len(runs)  # each a new key
    for args in runs:
        _validate(capsys, *args, "-o", "json", "--fail-on", "never", "--jobs", "1")  # not in the key
    assert len(validated) == len(runs)
    waivers.write_text(
        "waivers:\n  - {id: DSN-030, object: {kind: Deployment, name: web}, reason: r, owner: me, expires: 2999-01-01}\n"
    )
    _, out, _ = _validate(capsys, web, "--waivers", str(waivers), "-o", "json")
    assert len(validated) == len(runs) + 1  # the waiver file's content changed
    assert [f["waived"] for f in json.loads(out)["findings"] if f["id"] == "DSN-030"] == [True]


def test_no_cache_and_the_environment_turn_it_off(
    capsys: pytest.CaptureFixture[str],
    cache: Path,
    validated: list[list[str]],
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _validate(capsys, str(repo), "--no-cache")
    assert not cache.exists()  # nothing written
    _validate(capsys, str(repo))
    _validate(capsys, str(repo), "--no-cache")
    monkeypatch.setenv("DESIGNER_NO_CACHE", "1")
    _validate(capsys, str(repo))
    assert len(validated) == 4  # nothing read either


def test_a_corrupt_database_is_ignored_and_replaced(
    capsys: pytest.CaptureFixture[str], cache: Path, validated: list[list[str]], repo: Path
) -> None:
    expected = _validate(capsys, str(repo), "-o", "json")
    cache.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    assert _validate(capsys, str(repo), "-o", "json") == expected
    assert _validate(capsys, str(repo), "-o", "json") == expected
    assert len(validated) == 2  # the corrupt one was read as nothing, then replaced by a good one
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT count(*) FROM results").fetchone() == (3,)


def _rows(cache: Path) -> dict[str, dict[str, object]]:
    with sqlite3.connect(cache) as db:
        return {
            json.loads(value)["result"]["file"]: {"key": key, "value": value}
            for key, value in db.execute("SELECT key, value FROM results")
        }


def _rewrite(cache: Path, key: object, value: object) -> None:
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE results SET value = ? WHERE key = ?", (value, key))


def test_a_foreign_entry_is_validated_again(
    capsys: pytest.CaptureFixture[str], cache: Path, validated: list[list[str]], repo: Path
) -> None:
    """An entry that another file's (or another key's) writer stored is never taken for this file's."""
    expected = _validate(capsys, str(repo), "-o", "json")
    rows = _rows(cache)
    web, loop = rows[str(repo / "a-web.yaml")], rows[str(repo / "b-loop.yaml")]
    _rewrite(cache, web["key"], loop["value"])  # b's result under a's key: its embedded key differs
    assert _validate(capsys, str(repo), "-o", "json") == expected
    assert validated[1:] == [["a-web.yaml"]]


@pytest.mark.parametrize(
    "damage",
    [
        "not json at all",
        "a finding's line that is a string",
        "an error class that is not designer's",
        "a list of checks that does not match its digest",
        "another format",
    ],
)
def test_a_damaged_entry_is_validated_again(
    capsys: pytest.CaptureFixture[str], cache: Path, validated: list[list[str]], repo: Path, damage: str
) -> None:
    expected = _validate(capsys, str(repo), "-o", "json")
    rows = _rows(cache)
    target = rows[str(repo / "b-loop.yaml")] if "error" in damage else rows[str(repo / "a-web.yaml")]
    doc = json.loads(str(target["value"]))
    if damage == "not json at all":
        _rewrite(cache, target["key"], "{not json")
    elif damage == "a finding's line that is a string":
        doc["result"]["report"]["findings"][0][6] = "12"
        _rewrite(cache, target["key"], json.dumps(doc))
    elif damage == "an error class that is not designer's":
        doc["result"]["errors"][0]["class"] = "subprocess.Popen"
        _rewrite(cache, target["key"], json.dumps(doc))
    elif damage == "a list of checks that does not match its digest":
        with sqlite3.connect(cache) as db:
            db.execute("UPDATE checks SET value = ?", (orjson.dumps([]),))
    else:
        doc["format"] = FORMAT.rsplit("/", 1)[0] + "/0"
        _rewrite(cache, target["key"], json.dumps(doc))
    assert _validate(capsys, str(repo), "-o", "json") == expected
    # Damaged checks concern the files that list checks (b-loop has no design, so none).
    again = (
        ["a-web.yaml", "c-design.yaml"]
        if "checks" in damage
        else [Path(str(json.loads(str(target["value"]))["result"]["file"])).name]
    )
    assert validated[1:] == [again]


def test_a_file_rewritten_while_it_is_validated_is_not_stored(
    capsys: pytest.CaptureFixture[str], cache: Path, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key was made from the bytes read before validation: a result of other bytes must not go
    under it (an editor saving during a run)."""
    real = validation._rendered

    def saving(file: Path, *args: Any) -> Iterator[Any]:
        yield from real(file, *args)
        if file.name == "a-web.yaml":
            with file.open("a") as handle:
                handle.write("# saved again\n")

    monkeypatch.setattr(validation, "_rendered", saving)
    _validate(capsys, str(repo))
    assert sorted(Path(f).name for f in _rows(cache)) == ["b-loop.yaml", "c-design.yaml"]


def test_a_control_plane_rendered_from_other_files_is_never_stored(
    capsys: pytest.CaptureFixture[str], cache: Path, validated: list[list[str]], tmp_path: Path
) -> None:
    """A mesh installed from a manifest reads that file (helm and the mesh CLI read more): the design's
    result is not a function of its own bytes, so it is validated on every run."""
    folder = tmp_path / "mesh"
    folder.mkdir()
    (folder / "istio.yaml").write_text(WEB.replace("name: web", "name: istiod"))
    design = folder / "design.yaml"
    design.write_text(
        "apiVersion: designer/v1\nkind: Design\nmetadata: {name: mesh}\ncomponents:\n"
        "  - {name: istio, kind: IstioMesh, apiVersion: designer/v1, namespace: istio-system,\n"
        "     settings: {installer: {manifest: istio.yaml}}}\n"
    )
    _, first, _ = _validate(capsys, str(design), "-o", "json")
    (folder / "istio.yaml").write_text(WEB.replace("name: web", "name: istiod").replace(":latest", ":1.27.2"))
    _, second, _ = _validate(capsys, str(design), "-o", "json")
    assert len(validated) == 2
    latest = [[f["id"] for f in json.loads(out)["findings"]].count("DSN-030") for out in (first, second)]
    assert latest == [1, 0]
    assert not cache.exists() or not _rows(cache)


def test_a_live_cluster_inventory_turns_the_cache_off() -> None:
    assert not cacheable({"inventory_context": "prod"})
    assert cacheable({"inventory_context": None, "inventory": ()})


def test_the_key_follows_the_policy_library_and_designer_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import designer.validation_cache as cache_module

    rego = tmp_path / "check.rego"
    rego.write_text("package designer.checks.x\n")
    first = run_key({"sets": ()}, [rego])
    assert run_key({"sets": ()}, [rego]) == first
    rego.write_text("package designer.checks.y\n")
    assert run_key({"sets": ()}, [rego]) != first
    second = run_key({"sets": ()}, [rego])
    assert run_key({"sets": ("a=b",)}, [rego]) != second
    monkeypatch.setattr(cache_module, "_code", lambda folder: ["an edited module"])
    assert run_key({"sets": ()}, [rego]) != second


def test_a_warm_run_imports_neither_readers_nor_the_rego_engine(repo: Path, tmp_path: Path) -> None:
    """What makes a rerun fast: with every result cached, no loader, YAML parser or policy engine."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "", "HOME": str(tmp_path)}
    script = (
        "import sys\nfrom designer.cli.main import run\ncode = run(['validate', sys.argv[1], '-o', 'json'])\n"
        "print(sorted(m for m in ('yaml', 'regorus', 'designer.loading', 'designer.policy.evaluator') "
        "if m in sys.modules), code, file=sys.stderr)\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, str(repo)], capture_output=True, text=True, env=env, check=False
        )
        for _ in range(2)
    ]
    lines = [r.stderr.strip().splitlines()[-1] for r in runs]
    assert lines[0] != lines[1] and lines[1] == "[] 3", lines


@pytest.fixture
def clean_repo(tmp_path: Path) -> Path:
    """Files without errors: their reports may be replayed whole."""
    folder = tmp_path / "clean"
    folder.mkdir()
    (folder / "a-web.yaml").write_text(WEB)
    (folder / "c-design.yaml").write_text((FIXTURES / "design.yaml").read_text())
    return folder


def _reports(cache: Path) -> int:
    with sqlite3.connect(cache) as db:
        return int(db.execute("SELECT count(*) FROM reports").fetchone()[0])


def test_a_rerun_on_unchanged_files_replays_the_whole_report(
    capsys: pytest.CaptureFixture[str], cache: Path, clean_repo: Path, tmp_path: Path
) -> None:
    """Machine-readable reports of runs without errors are replayed; what shapes a report changes it."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "", "HOME": str(tmp_path)}
    script = (
        "import sys\nfrom designer.cli.main import run\n"
        "code = run(['validate', sys.argv[1], '-o', sys.argv[2], '--fail-on', 'never'])\n"
        "print(sorted(m for m in ('designer.validation_codec', 'designer.policy.findings', 'designer.model') "
        "if m in sys.modules), code, file=sys.stderr)\n"
    )
    for output in ("json", "sarif"):
        runs = [
            subprocess.run(
                [sys.executable, "-c", script, str(clean_repo), output],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            for _ in range(3)
        ]
        imported = [r.stderr.strip().splitlines()[-1] for r in runs]
        # The first run validates (and keeps its report); the reruns replay it, reading no file result.
        assert imported[0] != "[] 0" and imported[1:] == ["[] 0", "[] 0"], imported
        assert runs[0].stdout == runs[1].stdout == runs[2].stdout
    assert _reports(cache) == 2
    uncached = _validate(capsys, str(clean_repo), "-o", "json", "--no-cache")
    replayed = _validate(capsys, str(clean_repo), "-o", "json")
    assert replayed == uncached and replayed[0] == 1  # --fail-on high: a different report and code
    (clean_repo / "d-more.yaml").write_text(WEB.replace("name: web", "name: more"))
    grown = json.loads(_validate(capsys, str(clean_repo), "-o", "json")[1])
    assert "d-more.yaml" in {Path(f["file"]).name for f in grown["findings"]}


def test_a_report_with_errors_is_not_replayed_and_a_damaged_one_is_ignored(
    capsys: pytest.CaptureFixture[str], cache: Path, validated: list[list[str]], repo: Path, clean_repo: Path
) -> None:
    _validate(capsys, str(repo), "-o", "json")
    assert not cache.exists() or _reports_or_none(cache) in (None, 0)  # the broken design's run
    first = _validate(capsys, str(clean_repo), "-o", "json")
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE reports SET value = ?", (orjson.dumps({"format": FORMAT, "key": "x"}),))
    again = _validate(capsys, str(clean_repo), "-o", "json")
    assert again == first and _reports(cache) == 1
    with sqlite3.connect(cache) as db:
        (value,) = db.execute("SELECT value FROM reports").fetchone()
    assert json.loads(value)["result"]["text"] + "\n" == first[1]  # the damaged row was replaced


def _reports_or_none(cache: Path) -> int | None:
    try:
        return _reports(cache)
    except sqlite3.OperationalError:  # no table: nothing was ever replayed
        return None
