/**
 * The few assertions the tests use (the Deno standard library is not reachable here).
 * Each throws an `Error` whose message says what differed.
 *
 * @module
 */
import { AssertionError, deepStrictEqual } from "node:assert";

export { AssertionError };

/** Fails unless `condition` is truthy. */
export function assert(condition: unknown, message = "expected a truthy value"): asserts condition {
  if (!condition) throw new AssertionError({ message });
}

/** Fails unless `actual` deeply and strictly equals `expected`. */
export function assertEquals<T>(actual: unknown, expected: T, message?: string): void {
  deepStrictEqual(actual, expected, message);
}

/** Fails unless `actual` contains `expected`. */
export function assertStringIncludes(actual: string, expected: string, message?: string): void {
  if (!actual.includes(expected)) {
    throw new AssertionError({
      message: message ??
        `expected ${JSON.stringify(actual)} to include ${JSON.stringify(expected)}`,
    });
  }
}

/** Fails unless `actual` matches `pattern`. */
export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  if (!pattern.test(actual)) {
    throw new AssertionError({
      message: message ?? `expected ${JSON.stringify(actual)} to match ${pattern}`,
    });
  }
}

type _ErrorClass = abstract new (...args: never[]) => Error;

/** Returns `error` if it is an `errorClass` whose message includes `includes`; fails otherwise. */
function _checkThrown(error: unknown, errorClass: _ErrorClass, includes?: string): Error {
  if (!(error instanceof errorClass)) {
    throw new AssertionError({
      message: `expected ${errorClass.name}, got ${
        error instanceof Error ? error.name : typeof error
      }: ${error}`,
    });
  }
  if (includes !== undefined && !error.message.includes(includes)) {
    throw new AssertionError({
      message: `expected the message ${JSON.stringify(error.message)} to include ${
        JSON.stringify(includes)
      }`,
    });
  }
  return error;
}

/** Fails unless `fn` throws (or rejects with) an instance of `errorClass` whose message includes `includes`. */
export async function assertRejects(
  fn: () => unknown,
  errorClass: _ErrorClass = Error,
  includes?: string,
): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return _checkThrown(error, errorClass, includes);
  }
  throw new AssertionError({ message: `expected ${errorClass.name} to be thrown` });
}

/** Same as {@linkcode assertRejects}, for synchronous code. */
export function assertThrows(
  fn: () => unknown,
  errorClass: _ErrorClass = Error,
  includes?: string,
): Error {
  try {
    fn();
  } catch (error) {
    return _checkThrown(error, errorClass, includes);
  }
  throw new AssertionError({ message: `expected ${errorClass.name} to be thrown` });
}
