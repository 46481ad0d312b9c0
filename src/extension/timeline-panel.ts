// Skr8tr: Show Rollout Timeline: one webview panel per rollout, drawing its replicas as swim lanes
// and the ingress's traffic under them (the drawing is the webview's: dist/webview/timeline.js, with
// media/timeline.css). This side only fetches the rollout's timeline from the Conductor and hands it
// over: every second while the rollout runs and the panel is visible, once when it has ended. A
// replica clicked in the panel opens the Logs view on it.
//
//   loading ──timeline──▶ live (fetch every second while visible) ──ended──▶ ended (no more fetching)
//      └──no timeline / no Conductor──▶ problem shown (fetched again when the panel is shown again)
//   any ──panel closed──▶ disposed
// Panels open when the window reloads come back (a webview serializer: the page keeps its rollout
// in its state), and fetch again.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { ApiClientError } from '../shared/client';
import { isFinal } from '../shared/protocol/api';
import type { FromWebview, ToWebview } from '../shared/timeline-messages';
import type { Connection } from './connection';

const REFRESH_MS = 1000;

const VIEW_TYPE = 'skr8tr.timeline';

/** What a timeline page keeps in its state (timeline-view.ts), for the panel to come back after a reload. */
interface PanelState {
  rollout: string;
  title: string;
}

export class TimelinePanels implements vscode.Disposable {
  private readonly panels = new Map<string, TimelinePanel>();
  private readonly serializer: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly connection: Connection,
    private readonly openLogs: (replica: string) => void,
  ) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        const s = state as Partial<PanelState> | undefined;
        if (typeof s?.rollout !== 'string' || this.panels.has(s.rollout)) {
          panel.dispose();
          return;
        }
        this.adopt(panel, s.rollout, typeof s.title === 'string' ? s.title : `Timeline: ${s.rollout}`);
      },
    });
  }

  /** Shows the timeline of a rollout (the panel it already has, or a new one). */
  show(rolloutId: string, title: string): void {
    const existing = this.panels.get(rolloutId);
    if (existing) {
      existing.reveal();
      return;
    }
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const scripts = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, title, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [media, scripts],
      retainContextWhenHidden: false,
    });
    this.adopt(panel, rolloutId, title);
  }

  private adopt(panel: vscode.WebviewPanel, rolloutId: string, title: string): void {
    this.panels.set(rolloutId, new TimelinePanel(this.extensionUri, panel, this.connection, rolloutId, title, this.openLogs, () => this.panels.delete(rolloutId)));
  }

  /** The extension goes (a window reload, say): panels stop fetching but stay open, for VS Code to restore them. */
  dispose(): void {
    this.serializer.dispose();
    for (const p of [...this.panels.values()]) p.detach();
    this.panels.clear();
  }
}

class TimelinePanel {
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | null = null;
  private ended = false;
  private fetching = false;
  private disposed = false;

  constructor(
    extensionUri: vscode.Uri,
    private readonly panel: vscode.WebviewPanel,
    private readonly connection: Connection,
    private readonly rolloutId: string,
    title: string,
    private readonly openLogs: (replica: string) => void,
    private readonly onDispose: () => void,
  ) {
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    const scripts = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    // A panel restored after a reload comes with the options it had; set them again all the same.
    this.panel.webview.options = { enableScripts: true, localResourceRoots: [media, scripts] };
    this.panel.title = title;
    this.panel.iconPath = vscode.Uri.joinPath(media, 'skr8tr.svg');
    this.panel.webview.html = page(this.panel.webview, media, scripts, { rollout: rolloutId, title });
    this.disposables.push(
      this.panel.onDidDispose(() => this.dispose()),
      // Hidden panels lose their page (no retained context): a shown one asks again with `ready`.
      this.panel.onDidChangeViewState(() => this.schedule()),
      this.panel.webview.onDidReceiveMessage((m: FromWebview) => this.receive(m)),
    );
  }

  reveal(): void {
    this.panel.reveal();
  }

  private receive(m: FromWebview): void {
    if (m.type === 'ready') void this.refresh();
    else if (m.type === 'openLogs' && typeof m.replica === 'string') this.openLogs(m.replica);
  }

  /** Fetches the timeline and hands it to the page; while the rollout runs, again in a second. */
  private async refresh(): Promise<void> {
    if (this.disposed || this.fetching) return;
    this.fetching = true;
    try {
      const client = this.connection.client;
      if (!client) {
        this.post({ type: 'problem', message: 'No Conductor is connected; the timeline shows once it is.' });
        return;
      }
      const timeline = await client.call('rolloutTimeline', { id: this.rolloutId });
      this.ended = isFinal(timeline.rollout.state);
      this.post({ type: 'timeline', timeline });
    } catch (err) {
      this.ended = err instanceof ApiClientError && err.status === 404;
      this.post({ type: 'problem', message: err instanceof Error ? err.message : String(err) });
    } finally {
      this.fetching = false;
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.disposed || this.ended || !this.panel.visible) return;
    this.timer = setTimeout(() => void this.refresh(), REFRESH_MS);
  }

  private post(m: ToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(m);
  }

  /** Closed by the user: gone. */
  dispose(): void {
    if (this.disposed) return;
    this.detach();
    this.panel.dispose();
    this.onDispose();
  }

  /** No more fetching or listening; the panel itself stays (closing it here would drop it from the window's restored editors). */
  detach(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.disposables.forEach((d) => d.dispose());
    this.disposables.length = 0;
  }
}

/** The page: nothing from the network, scripts only with this page's nonce, styles only from media/. */
function page(webview: vscode.Webview, media: vscode.Uri, scripts: vscode.Uri, state: PanelState): string {
  const title = state.title;
  const nonce = crypto.randomBytes(16).toString('base64');
  const css = webview.asWebviewUri(vscode.Uri.joinPath(media, 'timeline.css'));
  const js = webview.asWebviewUri(vscode.Uri.joinPath(scripts, 'timeline.js'));
  const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}">
<title>${escaped(title)}</title>
</head>
<body>
<main id="timeline" aria-busy="true" data-state="${escaped(JSON.stringify(state))}"><p class="message">Loading the timeline…</p></main>
<div id="tooltip" role="tooltip" hidden></div>
<script nonce="${nonce}" src="${js}"></script>
</body>
</html>`;
}

function escaped(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
