"""In-memory object storage with a global resourceVersion counter and a bounded event history.

Objects are indexed (group, plural) -> namespace -> name, so get, put and namespaced lists are dict
lookups. Stored objects are never mutated in place: writers build a new dict and `put` it, which lets
watch events and responses share them safely. Every write bumps the counter and appends a watch event;
subscribers (open watches) are called synchronously and must hand the event to their own loop.
Used by operations.py (writes), server.py/watch.py (reads) and testing.py (test access).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

KubeObject = dict[str, Any]
StoreKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One change: ADDED, MODIFIED or DELETED of ``obj`` at resourceVersion ``rv``."""

    type: str
    key: StoreKey
    namespace: str
    obj: KubeObject
    rv: int


Subscriber = Callable[[WatchEvent], None]


def clone(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, scalars); several times faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value


class Store:
    """All objects of the sandbox; thread-safe through one re-entrant lock."""

    def __init__(self, history: int = 50_000) -> None:
        self.lock = threading.RLock()
        self._objects: dict[StoreKey, dict[str, dict[str, KubeObject]]] = {}
        self._rv = 1000
        self._history: deque[WatchEvent] = deque(maxlen=history)
        self._subscribers: list[Subscriber] = []
        self._floor = self._rv  # watches may resume from any resourceVersion >= this one
        self._truncated = False  # the history has dropped events (older versions are gone: 410)

    @property
    def resource_version(self) -> int:
        return self._rv

    def next_rv(self) -> int:
        with self.lock:
            self._rv += 1
            return self._rv

    def get(self, key: StoreKey, namespace: str, name: str) -> KubeObject | None:
        return self._objects.get(key, {}).get(namespace, {}).get(name)

    def objects(self, key: StoreKey, namespace: str | None = None) -> list[KubeObject]:
        """Objects of one resource, in one namespace or all (None), sorted by namespace and name."""
        with self.lock:
            by_ns = self._objects.get(key, {})
            if namespace is not None:
                names = by_ns.get(namespace, {})
                return [names[n] for n in sorted(names)]
            return [by_ns[ns][n] for ns in sorted(by_ns) for n in sorted(by_ns[ns])]

    def count(self) -> int:
        with self.lock:
            return sum(len(names) for by_ns in self._objects.values() for names in by_ns.values())

    def keys(self) -> list[StoreKey]:
        with self.lock:
            return list(self._objects)

    def in_namespace(self, namespace: str) -> Iterator[tuple[StoreKey, KubeObject]]:
        """Every object in a namespace, whatever its kind (for namespace deletion)."""
        with self.lock:
            found = [
                (key, obj)
                for key, by_ns in self._objects.items()
                for obj in by_ns.get(namespace, {}).values()
            ]
        return iter(found)

    def put(self, key: StoreKey, obj: KubeObject, event_type: str) -> None:
        """Store ``obj`` (its metadata.resourceVersion already set from `next_rv`) and emit an event."""
        meta = obj["metadata"]
        namespace = meta.get("namespace", "")
        with self.lock:
            self._objects.setdefault(key, {}).setdefault(namespace, {})[meta["name"]] = obj
            self._emit(WatchEvent(event_type, key, namespace, obj, int(meta["resourceVersion"])))

    def remove(self, key: StoreKey, obj: KubeObject) -> None:
        """Drop an object; the DELETED event carries it with a fresh resourceVersion."""
        meta = obj["metadata"]
        namespace = meta.get("namespace", "")
        with self.lock:
            by_ns = self._objects.get(key, {})
            names = by_ns.get(namespace, {})
            names.pop(meta["name"], None)
            if not names:
                by_ns.pop(namespace, None)
            rv = self.next_rv()
            gone = {**obj, "metadata": {**meta, "resourceVersion": str(rv)}}
            self._emit(WatchEvent("DELETED", key, namespace, gone, rv))

    def drop_resource(self, key: StoreKey) -> list[KubeObject]:
        """Remove every object of one resource (its CRD was deleted); emits DELETED for each."""
        with self.lock:
            objects = self.objects(key)
            for obj in objects:
                self.remove(key, obj)
            self._objects.pop(key, None)
            return objects

    def _emit(self, event: WatchEvent) -> None:
        if len(self._history) == self._history.maxlen:
            self._floor = self._history[0].rv
            self._truncated = True
        self._history.append(event)
        for subscriber in list(self._subscribers):
            subscriber(event)

    def subscribe(self, subscriber: Subscriber) -> None:
        with self.lock:
            self._subscribers.append(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self.lock:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

    def events_since(self, rv: int) -> list[WatchEvent] | None:
        """Events after ``rv``; None when the history no longer reaches back that far (410 Gone).
        While the history is whole, an older ``rv`` gets all of it, as kube-apiserver's watch cache
        does before its first compaction."""
        with self.lock:
            if rv >= self._rv:
                return []
            if rv < self._floor and self._truncated:
                return None
            return [e for e in self._history if e.rv > rv]
