/**
 * The relay's web pages. A stream page is the local-streaming page itself (the streaming
 * team's handler from `lib/stream/local_server.ts`, mounted under `/s/<token>/`), so both
 * modes show the same player; a recording page embeds the same player with the `.cast` file
 * as its source. Player files are served under `/assets/` by that same handler.
 *
 * @module
 */
import { createLocalHandler, type ViewerHub } from "../stream/local_server.ts";
import { playerPageCsp } from "../stream/player_page_csp.ts";

const ASSET_PREFIX = "/assets/asciinema-player";

function _escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// The poster (as asciinema.org shows one) is the last screen: the player seeks past the end
// to the end.
const RECORDING_SCRIPT = `
const el = document.getElementById("player");
window.player = AsciinemaPlayer.create(el.dataset.src, el, {
  fit: "both",
  theme: "auto/asciinema",
  poster: "npt:99:59:59",
});
`;

function _recordingHtml(title: string, castUrl: string): string {
  const t = _escapeHtml(title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t}</title>
<link rel="alternate" type="application/x-asciicast" href="${_escapeHtml(castUrl)}">
<link rel="stylesheet" href="/assets/asciinema-player.css">
<style>
  html, body { height: 100%; margin: 0; }
  body { background: #121314; }
  #player { position: fixed; inset: 40px; }
</style>
</head>
<body>
<div id="player" data-src="${_escapeHtml(castUrl)}"></div>
<script src="/assets/asciinema-player.min.js"></script>
<script>${RECORDING_SCRIPT}</script>
</body>
</html>
`;
}

function _connectHtml(installId: string, open: boolean): string {
  const id = _escapeHtml(installId);
  const how = open
    ? `<p>This relay accepts <strong>any install id</strong>: this machine can stream and
upload already. There is nothing to connect.</p>`
    : `<p>This relay accepts only the install ids its operator lists (<code>asciirec serve
--install-ids</code>). To use it from this machine, send the operator this id:</p>
<p><code id="install-id">${id}</code></p>
<p>Until it is listed, streaming and uploading answer <em>account required</em>.</p>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Connect this machine — asciirec relay</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40em; margin: 3em auto; padding: 0 1em; }
  code { background: #eee; padding: 0.1em 0.3em; word-break: break-all; }
</style>
</head>
<body>
<h1>Connect this machine</h1>
<p>asciirec relays have no user accounts: a machine is known by its asciinema install id
(<code>${id}</code>), which <code>asciinema</code> and <code>asciirec</code> send with every
request.</p>
${how}
</body>
</html>
`;
}

/** The relay's page and asset responses. */
export interface RelayPages {
  /**
   * Answers a request under `/s/<token>` (the page, its assets, and its `ws` socket, which
   * joins `hub`); `title` is the page title.
   */
  stream(request: Request, token: string, title: string, hub: ViewerHub): Promise<Response>;
  /** Answers `/assets/asciinema-player…` requests; `undefined` for any other path. */
  asset(request: Request): Response | undefined;
  /** The page of a stored recording whose file is at `castUrl`. */
  recording(title: string, castUrl: string): Response;
  /**
   * The page `asciinema auth` links to (`/connect/<install id>`): how this relay authorizes
   * install ids (`open`: any id may use it), and the id to give its operator.
   */
  connect(installId: string, open: boolean): Response;
}

const NO_HUB: ViewerHub = {
  join(socket) {
    socket.close(4040, "stream not found");
    return () => {};
  },
};

/**
 * Builds the page responses (hashes the embedded player once).
 *
 * @example
 * ```ts
 * import { createRelayPages } from "./pages.ts";
 * const pages = await createRelayPages();
 * pages.recording("demo", "/a/abc.cast").headers.get("content-type"); // "text/html; charset=utf-8"
 * ```
 */
export async function createRelayPages(): Promise<RelayPages> {
  const assets = await createLocalHandler({ hub: NO_HUB, token: "assets" });
  // The recording page has always left framing open (no frame-ancestors); the stream page
  // forbids it.
  const csp = await playerPageCsp(RECORDING_SCRIPT, { framable: true });
  // One handler per stream page, remembered while its title stays the same.
  const streamHandlers = new Map<string, { title: string; handler: (r: Request) => Response }>();
  return {
    async stream(request, token, title, hub) {
      let entry = streamHandlers.get(token);
      if (entry === undefined || entry.title !== title) {
        if (streamHandlers.size >= 1000) streamHandlers.clear();
        entry = { title, handler: await createLocalHandler({ hub, title, token: `s/${token}` }) };
        streamHandlers.set(token, entry);
      }
      return entry.handler(request);
    },
    asset(request) {
      const path = new URL(request.url).pathname;
      return path.startsWith(ASSET_PREFIX) ? assets(request) : undefined;
    },
    connect(installId, open) {
      return new Response(_connectHtml(installId, open), {
        headers: {
          "content-type": "text/html; charset=utf-8",
          "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
          "x-content-type-options": "nosniff",
          "referrer-policy": "no-referrer",
          "cache-control": "no-store",
        },
      });
    },
    recording(title, castUrl) {
      return new Response(_recordingHtml(title, castUrl), {
        headers: {
          "content-type": "text/html; charset=utf-8",
          "content-security-policy": csp,
          "x-content-type-options": "nosniff",
          "referrer-policy": "no-referrer",
        },
      });
    },
  };
}
