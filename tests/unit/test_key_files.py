"""Key files beside a store: the checkpoint key and the master key are found, made and
refused the same way (adapters/key_files.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from adapters.db import parse_database
from adapters.keys import CheckpointKeyError, key_path, load_key
from adapters.shredding.master_key import MasterKeyError, local_master_key, master_key_path


@pytest.fixture(autouse=True)
def _no_key_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "CASELEDGER_KEY_FILE",
        "CASELEDGER_MASTER_KEY_FILE",
        "CASELEDGER_CHECKPOINT_KEY",
        "CASELEDGER_MASTER_KEY",
        "CASELEDGER_KEY_DIR",
    ):
        monkeypatch.delenv(name, raising=False)


def test_each_key_has_its_own_file_beside_a_sqlite_store(tmp_path: Path) -> None:
    db = parse_database(f"sqlite:///{tmp_path / 'case.db'}")
    assert key_path(db) == tmp_path / "case.db.key"
    assert master_key_path(db) == tmp_path / "case.db.master-key"


def test_a_postgresql_store_names_its_key_files_by_server_and_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASELEDGER_KEY_DIR", str(tmp_path))
    db = parse_database("postgresql://postgres@127.0.0.1:5432/test?schema=north")
    assert key_path(db) == tmp_path / "127.0.0.1-5432-test-north.key"
    assert master_key_path(db) == tmp_path / "127.0.0.1-5432-test-north.master-key"


def test_a_new_key_file_is_private_and_read_back_the_same(tmp_path: Path) -> None:
    db = parse_database(f"sqlite:///{tmp_path / 'case.db'}")
    assert load_key(db, create=False) is None and local_master_key(db, create=False) is None
    first = load_key(db, create=True)
    assert first is not None and len(first) == 32
    assert load_key(db, create=True) == first  # made once, then read
    assert stat.S_IMODE(key_path(db).stat().st_mode) == 0o600
    made = local_master_key(db, create=True)
    again = local_master_key(db, create=False)
    assert made is not None and again is not None and made.key_id == again.key_id
    assert stat.S_IMODE(master_key_path(db).stat().st_mode) == 0o600


def test_a_key_file_others_may_read_is_refused_naming_it(tmp_path: Path) -> None:
    db = parse_database(f"sqlite:///{tmp_path / 'case.db'}")
    load_key(db, create=True)
    local_master_key(db, create=True)
    os.chmod(key_path(db), 0o644)
    os.chmod(master_key_path(db), 0o640)
    with pytest.raises(CheckpointKeyError, match=r"case\.db\.key: mode 0644 lets others read"):
        load_key(db, create=True)
    with pytest.raises(MasterKeyError, match=r"case\.db\.master-key: mode 0640 lets others"):
        local_master_key(db, create=True)


def test_a_key_file_named_in_the_environment_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    named = tmp_path / "elsewhere" / "signing.key"
    monkeypatch.setenv("CASELEDGER_KEY_FILE", str(named))
    db = parse_database(f"sqlite:///{tmp_path / 'case.db'}")
    assert key_path(db) == named
    load_key(db, create=True)
    assert named.exists() and not (tmp_path / "case.db.key").exists()
