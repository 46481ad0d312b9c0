// The timeline panel's page (built to dist/webview/timeline.js; the extension side is
// src/extension/timeline-panel.ts). It turns the rollout's timeline into the model
// (shared/timeline-model.ts) and draws it with plain SVG: one swim lane per replica, old generation
// above and new below, the steps as markers, and the traffic strip (requests a second, failures,
// p99 latency) on the same time axis. Colours are the theme's (`--vscode-*`, in media/timeline.css).
//
// Keyboard: Tab reaches three groups (the lanes, the steps, the traffic seconds); arrow keys move
// inside a group (←/→ along a lane or in time, ↑/↓ between lanes), Home/End to its ends; Enter or
// Space on a lane opens that replica's logs. What hovering shows, focusing shows too.
import type { FromWebview, ToWebview } from '../shared/timeline-messages';
import { timelineModel, type Lane, type TimelineModel } from '../shared/timeline-model';
import type { RolloutTimelineView } from '../shared/protocol/api';

declare function acquireVsCodeApi(): { postMessage(m: FromWebview): void; setState(state: unknown): void };

const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
const root = document.getElementById('timeline')!;
const tooltip = document.getElementById('tooltip')!;

const LABEL_W = 150;
const RIGHT_W = 56;
const LANE_H = 22;
const GROUP_H = 22;
const AXIS_H = 20;
const STRIP_H = 96;
const STRIP_GAP = 28;
/** The failure marker's size: at least what a focus ring goes round. */
const FAIL_MARK = 16;

/** A focusable thing in the picture: its element, its words, what Enter does (a button then; else an image with words). */
interface Item {
  el: SVGElement;
  title: string;
  activate?: () => void;
}

let current: RolloutTimelineView | null = null;
/** What had the focus and what was under the mouse, so a redraw keeps both. */
let focusKey: string | null = null;
let hoverKey: string | null = null;

window.addEventListener('message', (e: MessageEvent<ToWebview>) => {
  const m = e.data;
  if (m.type === 'timeline') {
    current = m.timeline;
    render();
  } else if (m.type === 'problem') {
    current = null;
    root.setAttribute('aria-busy', 'false');
    root.replaceChildren(el('p', { class: 'message problem' }, m.message));
  }
});
new ResizeObserver(() => render()).observe(document.body);
// Which rollout this page shows, kept by VS Code across a window reload (the panel comes back with it).
try {
  vscode.setState(JSON.parse(root.dataset.state ?? 'null'));
} catch {
  // no state to keep: the panel is not restored after a reload
}
vscode.postMessage({ type: 'ready' });

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function svg(tag: string, attrs: Record<string, string | number> = {}, text?: string): SVGElement {
  const e = document.createElementNS(SVG, tag) as SVGElement;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function render(): void {
  if (!current) return;
  const m = timelineModel(current, Date.now());
  const width = Math.max(360, document.body.clientWidth - 24);
  root.setAttribute('aria-busy', 'false');
  hide();
  root.replaceChildren(header(m), picture(m, width));
  restore();
}

function header(m: TimelineModel): HTMLElement {
  const h = el('header');
  h.append(el('h1', {}, m.title), el('p', { class: `status state-${m.state}` }, m.status));
  // Why replicas failed, in words on the page (their segments say it too, on hover and focus).
  if (m.failures.length > 0) {
    const list = el('ul', { class: 'failures', 'aria-label': 'Failures' });
    for (const f of m.failures) list.append(el('li', {}, f));
    h.append(list);
  }
  for (const n of m.notes) h.append(el('p', { class: 'note' }, n));
  const legend = el('ul', { class: 'legend', 'aria-label': 'Legend' });
  const kinds: [string, string][] = [['starting', 'starting'], ['serving', 'serving (in the ingress)'], ['ready', 'ready (no ingress)'], ['draining', 'draining'], ['stopped', 'stopped'], ['failed', 'failed']];
  for (const [kind, words] of kinds) {
    const li = el('li');
    li.append(el('span', { class: `swatch seg-${kind}`, 'aria-hidden': 'true' }), document.createTextNode(words));
    legend.append(li);
  }
  h.append(legend);
  return h;
}

function picture(m: TimelineModel, width: number): HTMLElement {
  const plotW = width - LABEL_W - RIGHT_W;
  const x = (t: number) => LABEL_W + ((t - m.from) / (m.to - m.from)) * plotW;
  const lanesH = m.groups.reduce((h, g) => h + GROUP_H + g.lanes.length * LANE_H, 0);
  const stripTop = lanesH + AXIS_H + STRIP_GAP;
  const height = stripTop + (m.traffic ? STRIP_H + AXIS_H : 0);
  const box = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-label': `Timeline of ${m.title}` });
  box.append(patterns(), grid(m, x, lanesH, stripTop));

  // The lanes.
  const lanes = svg('g', { role: 'group', 'aria-label': 'Replicas: arrow keys move between segments and lanes, Enter opens the logs' });
  const rows: Item[][] = [];
  let y = 0;
  for (const g of m.groups) {
    lanes.append(svg('text', { x: 4, y: y + GROUP_H - 7, class: `group-label role-${g.role}` }, g.label));
    y += GROUP_H;
    for (const lane of g.lanes) {
      rows.push(laneRow(lane, y, x, lanes));
      y += LANE_H;
    }
  }
  box.append(lanes);
  if (m.groups.length === 0) box.append(svg('text', { x: LABEL_W, y: 16, class: 'empty' }, 'No replica yet.'));

  // The steps as markers.
  const markers = svg('g', { role: 'group', 'aria-label': 'Steps' });
  const steps: Item[] = m.markers.map((mk) => {
    const mx = x(mk.at);
    const g = svg('g', { class: `marker level-${mk.level}` });
    g.append(svg('line', { x1: mx, x2: mx, y1: 0, y2: lanesH, class: 'marker-line' }), svg('path', { d: `M${mx - 4} ${lanesH} L${mx + 4} ${lanesH} L${mx} ${lanesH + 7} Z`, class: 'marker-head' }));
    markers.append(g);
    return { el: g, title: mk.title };
  });
  box.append(markers);
  if (m.live) box.append(svg('line', { x1: x(m.to), x2: x(m.to), y1: 0, y2: height, class: 'now' }));
  box.append(axis(m, x, lanesH + 8));

  // The traffic strip.
  let seconds: Item[] = [];
  if (m.traffic) {
    const strip = svg('g', { role: 'group', 'aria-label': `Traffic: ${m.traffic.unit} a second, failures and p99 latency` });
    seconds = trafficStrip(m, x, stripTop, plotW, strip);
    box.append(strip, axis(m, x, stripTop + STRIP_H + 4));
  }

  // Three tab stops (those with something in them); the names keep the focus across redraws.
  const groups: [string, Item[][]][] = [['lanes', rows], ['steps', [steps]], ['seconds', [seconds]]];
  for (const [name, g] of groups) if (g.some((row) => row.length > 0)) rove(g, name);
  const wrap = el('div', { class: 'picture' });
  wrap.append(box);
  return wrap;
}

function laneRow(lane: Lane, y: number, x: (t: number) => number, into: SVGElement): Item[] {
  const open = () => vscode.postMessage({ type: 'openLogs', replica: lane.replica });
  const label = svg('text', { x: 12, y: y + LANE_H - 7, class: 'lane-label' }, lane.replica);
  label.addEventListener('click', open);
  const items: Item[] = [{ el: label, title: `${lane.summary}. Enter opens its logs.`, activate: open }];
  into.append(label);
  for (const s of lane.segments) {
    const x0 = x(s.from);
    const w = Math.max(2, x(s.to) - x0);
    const thin = s.kind === 'stopped' || s.kind === 'failed';
    const h = thin ? (s.kind === 'failed' ? 4 : 2) : s.kind === 'starting' || s.kind === 'draining' ? 10 : 14;
    const rect = svg('rect', { x: x0, y: y + (LANE_H - h) / 2, width: w, height: h, rx: thin ? 0 : 2, class: `seg seg-${s.kind}${s.open ? ' open' : ''}` });
    let target: SVGElement = rect;
    if (s.kind === 'failed') {
      // The failure: a marker as large as a focus ring goes round (16 px), a cross in it, not a sliver of colour.
      const g = svg('g', { class: 'fail' });
      const cy = y + LANE_H / 2;
      g.append(
        rect,
        svg('rect', { x: x0 - FAIL_MARK / 2, y: cy - FAIL_MARK / 2, width: FAIL_MARK, height: FAIL_MARK, rx: 3, class: 'fail-mark' }),
        svg('path', { d: `M${x0 - 4} ${cy - 4} L${x0 + 4} ${cy + 4} M${x0 + 4} ${cy - 4} L${x0 - 4} ${cy + 4}`, class: 'fail-cross', 'aria-hidden': 'true' }),
      );
      target = g;
    }
    target.addEventListener('click', open);
    into.append(target);
    items.push({ el: target, title: s.title, activate: open });
  }
  return items;
}

/**
 * The fills of the segments in high contrast, where colours are few: each state its own pattern
 * (media/timeline.css uses them only there; the legend's swatches show the same).
 */
function patterns(): SVGElement {
  const defs = svg('defs');
  const pattern = (id: string, draw: string) => {
    const p = svg('pattern', { id, width: 6, height: 6, patternUnits: 'userSpaceOnUse' });
    p.append(svg('rect', { width: 6, height: 6, class: 'pattern-bg' }), svg('path', { d: draw, class: 'pattern-ink' }));
    defs.append(p);
  };
  pattern('pattern-starting', 'M0 6 L6 0'); // ╱ hatching
  pattern('pattern-draining', 'M0 0 L6 6'); // ╲ hatching
  pattern('pattern-ready', 'M2 3 h2'); // dots
  return defs;
}

function grid(m: TimelineModel, x: (t: number) => number, lanesH: number, stripTop: number): SVGElement {
  const g = svg('g', { class: 'grid', 'aria-hidden': 'true' });
  for (const t of m.ticks) g.append(svg('line', { x1: x(t.at), x2: x(t.at), y1: 0, y2: lanesH, class: t.at === m.zero ? 'tick zero' : 'tick' }));
  if (m.traffic) for (const t of m.ticks) g.append(svg('line', { x1: x(t.at), x2: x(t.at), y1: stripTop, y2: stripTop + STRIP_H, class: 'tick' }));
  return g;
}

function axis(m: TimelineModel, x: (t: number) => number, y: number): SVGElement {
  const g = svg('g', { class: 'axis', 'aria-hidden': 'true' });
  for (const t of m.ticks) g.append(svg('text', { x: x(t.at), y: y + 12, class: 'tick-label' }, t.label));
  return g;
}

function trafficStrip(m: TimelineModel, x: (t: number) => number, top: number, plotW: number, into: SVGElement): Item[] {
  const t = m.traffic!;
  const bottom = top + STRIP_H;
  const barW = Math.max(1, (1000 / (m.to - m.from)) * plotW - 1);
  const yReq = (n: number) => bottom - (n / t.maxRequests) * (STRIP_H - 4);
  const yP99 = (ms: number) => bottom - (ms / t.maxP99) * (STRIP_H - 4);
  into.append(
    svg('line', { x1: LABEL_W, x2: LABEL_W + plotW, y1: bottom, y2: bottom, class: 'baseline' }),
    svg('text', { x: LABEL_W - 6, y: top + 10, class: 'scale left' }, `${t.maxRequests}/s`),
    svg('text', { x: LABEL_W - 6, y: bottom, class: 'scale left' }, '0'),
    svg('text', { x: LABEL_W + plotW + 6, y: top + 10, class: 'scale right p99' }, `${Math.round(t.maxP99)} ms`),
    svg('text', { x: 4, y: top + STRIP_H / 2 - 8, class: 'strip-label' }, `${t.unit}/s`),
    svg('text', { x: 4, y: top + STRIP_H / 2 + 8, class: 'strip-label failed' }, 'failed'),
    svg('text', { x: 4, y: top + STRIP_H / 2 + 24, class: 'strip-label p99' }, 'p99 latency'),
  );
  const items: Item[] = [];
  let line = '';
  const right = LABEL_W + plotW;
  for (const p of t.points) {
    // Each second's bar, cut at the edges of the plot (the first and last seconds are partly outside it).
    const px = Math.max(LABEL_W, x(p.at));
    const w = Math.min(x(p.at) + barW, right) - px;
    if (w <= 0) continue;
    if (p.requests > 0) into.append(svg('rect', { x: px, y: yReq(p.requests), width: w, height: bottom - yReq(p.requests), class: 'bar requests' }));
    // Failures are few against the requests: never thinner than 4 px, so one is seen.
    if (p.failed > 0) {
      const h = Math.max(4, bottom - yReq(p.failed));
      into.append(svg('rect', { x: px, y: bottom - h, width: w, height: h, class: 'bar failed' }));
    }
    if (p.p99 !== null) line += `${line ? 'L' : 'M'}${(px + w / 2).toFixed(1)} ${yP99(p.p99).toFixed(1)} `;
    const hit = svg('rect', { x: px, y: top, width: Math.max(w, 2), height: STRIP_H, class: 'hit' });
    into.append(hit);
    items.push({ el: hit, title: p.title });
  }
  if (line) into.append(svg('path', { d: line, class: 'p99-line' }));
  if (t.points.every((p) => p.requests === 0)) into.append(svg('text', { x: LABEL_W + plotW / 2, y: top + STRIP_H / 2, class: 'empty centred' }, `No ${t.unit} reached the ingress in this time.`));
  // The hit areas above the drawing, so hovering finds them.
  for (const i of items) into.append(i.el);
  return items;
}

// ---- focus, keys and the tooltip -------------------------------------------------------------

/** One tab stop for a group of rows of items; arrow keys move the focus inside it. */
function rove(rows: Item[][], name: string): void {
  const all = rows.flat();
  all.forEach((item, i) => {
    const [r, c] = position(rows, i);
    item.el.setAttribute('tabindex', '-1');
    item.el.setAttribute('aria-label', item.title);
    item.el.setAttribute('role', item.activate ? 'button' : 'img');
    item.el.dataset.key = `${name}:${r}:${c}`;
    item.el.classList.add('focusable');
    item.el.addEventListener('mouseenter', () => {
      hoverKey = item.el.dataset.key ?? null;
      show(item);
    });
    item.el.addEventListener('mouseleave', () => {
      hoverKey = null;
      hide();
    });
    item.el.addEventListener('focus', () => {
      focusKey = item.el.dataset.key ?? null;
      for (const other of all) other.el.setAttribute('tabindex', other === item ? '0' : '-1');
      show(item);
    });
    item.el.addEventListener('blur', () => {
      if (document.activeElement !== item.el) focusKey = null;
      hide();
    });
    item.el.addEventListener('keydown', (e: KeyboardEvent) => {
      const row = rows[r]!;
      let target: Item | undefined;
      if (e.key === 'ArrowRight') target = row[c + 1];
      else if (e.key === 'ArrowLeft') target = row[c - 1];
      else if (e.key === 'Home') target = row[0];
      else if (e.key === 'End') target = row.at(-1);
      else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') target = nearest(rows[r + (e.key === 'ArrowDown' ? 1 : -1)], item);
      else if ((e.key === 'Enter' || e.key === ' ') && item.activate) {
        e.preventDefault();
        item.activate();
        return;
      } else if (e.key === 'Escape') {
        hide();
        return;
      } else return;
      e.preventDefault();
      target?.el.focus();
    });
  });
  all[0]?.el.setAttribute('tabindex', '0');
}

function position(rows: Item[][], index: number): [number, number] {
  let i = index;
  for (let r = 0; r < rows.length; r++) {
    if (i < rows[r]!.length) return [r, i];
    i -= rows[r]!.length;
  }
  return [0, 0];
}

/** The item of `row` nearest in time (on screen) to `from`. */
function nearest(row: Item[] | undefined, from: Item): Item | undefined {
  if (!row || row.length === 0) return undefined;
  const at = from.el.getBoundingClientRect().left;
  return row.reduce((best, i) => (Math.abs(i.el.getBoundingClientRect().left - at) < Math.abs(best.el.getBoundingClientRect().left - at) ? i : best));
}

/** After a redraw (every second while the rollout runs), the focus and the tooltip stay where they were. */
function restore(): void {
  const find = (key: string | null) => (key ? root.querySelector<SVGElement>(`[data-key="${CSS.escape(key)}"]`) : null);
  const focused = find(focusKey);
  if (focused && document.hasFocus()) focused.focus();
  const hovered = find(hoverKey);
  if (hovered) hovered.dispatchEvent(new MouseEvent('mouseenter'));
}

function show(item: Item): void {
  tooltip.textContent = item.title;
  tooltip.hidden = false;
  const r = item.el.getBoundingClientRect();
  const tw = tooltip.offsetWidth;
  const left = Math.min(Math.max(4, r.left + r.width / 2 - tw / 2), window.innerWidth - tw - 4);
  const top = r.bottom + 6 + tooltip.offsetHeight > window.innerHeight ? r.top - tooltip.offsetHeight - 6 : r.bottom + 6;
  tooltip.style.left = `${left + window.scrollX}px`;
  tooltip.style.top = `${top + window.scrollY}px`;
}

function hide(): void {
  tooltip.hidden = true;
}
