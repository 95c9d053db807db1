"""Purges in the DfE CSC API payload: what the record showed before and no longer shows.

An item is matched by its id; one gone from the record is sent as ``{id_key: id, "purge":
true}`` in its list, a whole record gone as ``{la_child_id, mis_child_id, "purge": true}``
(the shapes of Data to Insight's ``api_pipeline/payload.py``).
"""

from __future__ import annotations

from typing import Any

Payload = dict[str, Any]

EPISODE_LISTS = {
    "child_and_family_assessments": "child_and_family_assessment_id",
    "child_in_need_plans": "child_in_need_plan_id",
    "section_47_assessments": "section_47_assessment_id",
    "child_protection_plans": "child_protection_plan_id",
    "child_looked_after_placements": "child_looked_after_placement_id",
}
"""The item lists of an episode, each with its id key."""


def with_purges(before: Payload | None, now: Payload | None) -> Payload | None:
    """The payload to send: ``now`` plus a purge for each item ``before`` had and it lacks."""
    if now is None:
        if before is None:
            return None
        return {
            "la_child_id": before["la_child_id"],
            "mis_child_id": before["mis_child_id"],
            "purge": True,
        }
    if before is None:
        return now
    then = {e["social_care_episode_id"]: e for e in before.get("social_care_episodes", [])}
    current = {e["social_care_episode_id"]: e for e in now.get("social_care_episodes", [])}
    episodes = list(now.get("social_care_episodes", []))
    for episode_id, old in then.items():
        episode = current.get(episode_id)
        if episode is None:
            episodes.append({"social_care_episode_id": episode_id, "purge": True})
            continue
        for name, key in EPISODE_LISTS.items():
            kept = {item[key] for item in episode.get(name, [])}
            gone = [item[key] for item in old.get(name, []) if item[key] not in kept]
            if gone:
                purge = episode.pop("purge")
                episode[name] = episode.get(name, []) + [{key: i, "purge": True} for i in gone]
                episode["purge"] = purge
    return {**now, "social_care_episodes": episodes}


def purged_items(payload: Payload) -> int:
    """How many purges a payload carries (the child itself counts as one)."""
    if payload.get("purge"):
        return 1
    count = 0
    for episode in payload.get("social_care_episodes", []):
        if episode.get("purge"):
            count += 1
            continue
        for name in EPISODE_LISTS:
            count += sum(1 for item in episode.get(name, []) if item.get("purge"))
    return count
