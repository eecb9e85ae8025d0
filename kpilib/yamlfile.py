"""Reading a parameter file: YAML with a size limit and its aliases' expansion bounded,
every problem named by file (and line)."""

from __future__ import annotations

import functools
import pickle
from pathlib import Path
from typing import Any

import yaml

from kpilib.problems import Problems

MAX_YAML_BYTES = 1_000_000
MAX_YAML_NODES = 200_000  # values once aliases are expanded (the default catalogue has ~3,000)


class _BoundedLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A SafeLoader refusing documents whose aliases expand past MAX_YAML_NODES values (a few
    kilobytes of nested aliases, a "billion laughs", expand to billions). On libyaml's parser
    where PyYAML has it (~8× faster: every notebook reads the parameter files)."""

    def construct_document(self, node: yaml.Node) -> Any:
        if _expanded_size(node, {}) > MAX_YAML_NODES:
            raise yaml.constructor.ConstructorError(
                None, None, f"aliases expand to more than {MAX_YAML_NODES:,} values", node.start_mark)
        return super().construct_document(node)


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """Values in `node` with every alias expanded; a node is sized once (a cycle counts as too many)."""
    if id(node) not in sizes:
        sizes[id(node)] = MAX_YAML_NODES + 1  # until known: a node reached again inside itself is a cycle
        children = (node.value if isinstance(node, yaml.SequenceNode)
                    else [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else [])
        sizes[id(node)] = 1 + sum(_expanded_size(child, sizes) for child in children)
    return sizes[id(node)]


def _parsed(text: str) -> Any:
    """The YAML document `text`, a fresh copy each call: a warm kernel reads the same
    parameter files for every notebook, and unpickling a parse is ~20× faster than parsing."""
    return pickle.loads(_parse(text))


@functools.lru_cache(maxsize=64)
def _parse(text: str) -> bytes:
    return pickle.dumps(yaml.load(text, Loader=_BoundedLoader) or {})


def read_yaml(path: Path, problems: Problems) -> dict[str, Any]:
    """The mapping in `path`, or {} with the problem recorded."""
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        problems.error(str(path), f"a parameter file of at most {MAX_YAML_BYTES:,} bytes", value=f"{size:,} bytes")
        return {}
    try:
        data = _parsed(path.read_text(encoding="utf-8"))
    except RecursionError:
        problems.error(str(path), "YAML nested less deeply (it exceeds Python's recursion limit)")
        return {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.error(str(path), f"valid YAML ({getattr(exc, 'problem', exc)})",
                       row=mark.line + 1 if mark else None)
        return {}
    except UnicodeDecodeError:
        problems.error(str(path), "a UTF-8 text file")
        return {}
    if not isinstance(data, dict):
        problems.error(str(path), "a mapping of keys at the top level", value=type(data).__name__)
        return {}
    return data
