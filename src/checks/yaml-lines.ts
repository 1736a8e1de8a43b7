import { type Document, isMap, isNode, isScalar, isSeq, type LineCounter } from 'yaml';

export type DataPath = readonly (string | number)[];

/** `['checks', 2, 'http', 'url']` → `checks[2].http.url`; the root is `top level`. */
export function formatPath(path: DataPath): string {
  if (path.length === 0) return 'top level';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/**
 * The 1-based line of the YAML node at `path`. A map entry is found at its key (so `tcp:` rather than
 * the first line of the mapping under it); a path that does not exist in the file (a missing key)
 * falls back to its nearest existing parent.
 */
export function lineOf(doc: Document, lineCounter: LineCounter, path: DataPath): number {
  for (let n = path.length; n > 0; n--) {
    const offset = offsetOf(doc, path.slice(0, n));
    if (offset !== undefined) return lineCounter.linePos(offset).line;
  }
  const root = doc.contents;
  return isNode(root) && root.range ? lineCounter.linePos(root.range[0]).line : 1;
}

function offsetOf(doc: Document, path: DataPath): number | undefined {
  const last = path[path.length - 1];
  const parent: unknown = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last));
    const keyNode: unknown = pair?.key;
    return isNode(keyNode) && keyNode.range ? keyNode.range[0] : undefined;
  }
  if (isSeq(parent) && typeof last === 'number') {
    const item: unknown = parent.items[last];
    return isNode(item) && item.range ? item.range[0] : undefined;
  }
  return undefined;
}
