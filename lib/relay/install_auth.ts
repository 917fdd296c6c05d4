/**
 * How the relay knows its clients: an asciinema install id in a Basic `Authorization`
 * header, as asciinema-server reads it, optionally limited to an allow-list.
 *
 * @module
 */
import { INSTALL_ID_RE } from "../remote/install_id.ts";
import { apiError, basicPassword } from "./http.ts";
import type { RelayStore } from "./store.ts";

/**
 * The caller's install id (registered in the store), or the 401 response asciinema-server
 * gives: `unauthenticated` without or with a malformed id, `account_required` for an id
 * outside `allowed`.
 *
 * @example
 * ```ts
 * import { authenticate } from "./install_auth.ts";
 * // const owner = authenticate(request, store, allowedIds);
 * // if (owner instanceof Response) return owner;
 * ```
 */
export function authenticate(
  request: Request,
  store: RelayStore,
  allowed: ReadonlySet<string> | undefined,
): string | Response {
  const id = basicPassword(request);
  if (id === undefined || id === "") {
    return apiError(401, "unauthenticated", "Missing installation ID");
  }
  if (!INSTALL_ID_RE.test(id)) return apiError(401, "unauthenticated", "Invalid installation ID");
  if (allowed && !allowed.has(id)) {
    return apiError(401, "account_required", "This action requires an account");
  }
  store.registerInstallId(id);
  return id;
}
