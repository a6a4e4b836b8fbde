// A tiny element builder. Text always goes in as text nodes, so data from the API can never
// become markup.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'testid') node.dataset.testid = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Replaces the children of the element with this id. */
export function fill(id, ...children) {
  const node = document.getElementById(id);
  node.replaceChildren(...children.flat().filter((c) => c != null && c !== false));
  return node;
}

/** A progress bar for a percentage; a <progress> element, since the CSP allows no inline styles. */
export function bar(pct) {
  const clamped = Math.max(0, Math.min(100, pct ?? 0));
  return el('progress', { max: 100, value: clamped.toFixed(1), 'aria-hidden': true });
}
