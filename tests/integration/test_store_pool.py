"""serve's pool of open stores: bounded, one borrower per store, refuses after its wait."""

from __future__ import annotations

import threading

import pytest

from adapters.store_pool import StoreBusy, StorePool


@pytest.fixture
def pool(tmp_path):  # type: ignore[no-untyped-def]
    stores = StorePool(f"sqlite:///{tmp_path}/pool.db", size=2, wait_seconds=0.2)
    yield stores
    stores.close()


def test_a_store_is_lent_to_one_borrower_at_a_time_and_reused(pool: StorePool) -> None:
    with pool.borrow() as first, pool.borrow() as second:
        assert first is not second
    with pool.borrow() as again:
        assert again in (first, second)
    assert len(pool._opened) == 2


def test_no_more_stores_than_the_limit_are_opened(pool: StorePool) -> None:
    with pool.borrow(), pool.borrow():
        with pytest.raises(StoreBusy, match="all 2 stores stayed busy for 0.2 s"):
            with pool.borrow():
                pass
    assert len(pool._opened) == 2


def test_a_waiting_borrower_gets_the_store_given_back() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        stores = StorePool(f"sqlite:///{folder}/pool.db", size=1, wait_seconds=5)
        got: list[object] = []
        with stores.borrow() as held:
            waiter = threading.Thread(target=lambda: got.append(stores._take()))
            waiter.start()
            waiter.join(0.2)
            assert got == []  # still waiting while the store is lent
        waiter.join(5)
        assert got == [held]
        stores.close()


def test_a_failed_borrower_leaves_no_cached_records(pool: StorePool) -> None:
    with pytest.raises(RuntimeError), pool.borrow() as store:
        store._records["C-1"] = object()  # type: ignore[assignment]
        raise RuntimeError("a write failed half-way")
    assert store._records == {}


def test_a_closed_pool_opens_new_stores_for_its_next_borrower(pool: StorePool) -> None:
    with pool.borrow() as before:
        pass
    pool.close()
    with pool.borrow() as after:
        assert after is not before
        assert after.max_position() == 0  # open and working
