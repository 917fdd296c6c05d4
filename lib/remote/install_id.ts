/**
 * The install id: the credential that identifies this machine to an asciinema server. Read
 * from (or created at) the same files the asciinema CLI uses, so a machine already linked
 * with `asciinema auth` is already linked for asciirec.
 *
 * @module
 */
import { configHome, type EnvLookup, stateHome } from "../config/locations.ts";

/** The shape asciinema servers accept: a lower-case UUID. */
export const INSTALL_ID_RE = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;

/** An install id and the file it lives in. */
export interface InstallId {
  /** The id, trimmed. */
  id: string;
  /** The file it was read from or written to. */
  path: string;
  /** Whether it was generated just now. */
  created: boolean;
}

/** Options for {@linkcode readOrCreateInstallId}. */
export interface InstallIdOptions {
  /** Environment lookup; default `Deno.env.get`. */
  env?: EnvLookup;
}

async function _readTrimmed(path: string): Promise<string | undefined> {
  try {
    const text = (await Deno.readTextFile(path)).trim();
    return text === "" ? undefined : text;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw error;
  }
}

/**
 * Returns this machine's install id: from `{state_home}/install-id` (asciinema 3.x), else the
 * legacy `{config_home}/install-id` (asciinema 1.x/2.x), else a new lower-case UUIDv4 written
 * to the state path. Surrounding whitespace is trimmed; an empty file counts as absent.
 *
 * @example
 * ```ts
 * import { readOrCreateInstallId } from "./install_id.ts";
 * const { id } = await readOrCreateInstallId();
 * ```
 */
export async function readOrCreateInstallId(options: InstallIdOptions = {}): Promise<InstallId> {
  const statePath = `${stateHome(options.env)}/install-id`;
  const fromState = await _readTrimmed(statePath);
  if (fromState !== undefined) return { id: fromState, path: statePath, created: false };
  let legacyPath: string | undefined;
  try {
    legacyPath = `${configHome(options.env)}/install-id`;
  } catch {
    // No config home: only the state path counts.
  }
  if (legacyPath !== undefined) {
    const fromLegacy = await _readTrimmed(legacyPath);
    if (fromLegacy !== undefined) return { id: fromLegacy, path: legacyPath, created: false };
  }
  const id = crypto.randomUUID().toLowerCase();
  await Deno.mkdir(statePath.slice(0, statePath.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(statePath, id, { mode: 0o600 });
  return { id, path: statePath, created: true };
}
