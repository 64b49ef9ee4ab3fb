"""usage() counts every key issued: an owner's re-issued key beside the first, a revoked key still listed."""
from helpers.web import Keys


def spend(keys, token, times):
    """Make `times` requests with token, as the servers do."""
    for _ in range(times):
        keys.check(token)


def test_a_reissued_key_is_counted_beside_the_first():
    keys = Keys()
    first, second = keys.issue("batch job", limit=None), keys.issue("batch job", limit=None)
    spend(keys, first, 3)
    spend(keys, second, 5)
    assert keys.usage() == {"batch job": (3, 0), "batch job #2": (5, 0)}


def test_a_revoked_key_keeps_its_counts_and_says_so():
    keys = Keys()
    trial, reader = keys.issue("free trial", limit=2, per=60), keys.issue("a reader")
    spend(keys, trial, 4)
    keys.revoke(trial)
    assert keys.check(trial).status == 401
    spend(keys, reader, 1)
    assert keys.usage() == {"free trial (revoked)": (2, 2), "a reader": (1, 0)}


def test_one_key_per_owner_reads_as_before():
    keys = Keys()
    spend(keys, keys.issue("trial", limit=3, per=60), 5)
    assert keys.usage() == {"trial": (3, 2)}
