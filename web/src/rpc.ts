// Retries and request ids for calls to the services.
//
// Every mutation carries a request_id chosen by the client: the server answers a repeat of the
// same id and the same request with the first result and writes nothing. So one user action
// (pressing "save" once) gets one id, and every retry of that action, automatic or by the user
// pressing "try again", reuses it. A changed input is a new action with a new id (the same id
// with another request is INVALID_ARGUMENT).
//
// Only failures that say nothing about the request itself are retried: Code.Unavailable (the
// gateway or a service is unreachable, HTTP 502/503/504) and network failures of fetch.
import { Code, ConnectError } from "@connectrpc/connect";

export interface RetryOptions {
  /** Retries after the first attempt; default 3. */
  retries?: number;
  /** The delay before the first retry in ms; doubled for every next retry. Default 250. */
  baseDelayMs?: number;
  /** The longest delay between two attempts in ms; default 4000. */
  maxDelayMs?: number;
  /** Stops waiting and retrying. */
  signal?: AbortSignal;
  /** Waits ms (tests pass a fake). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A number in [0, 1) for the jitter (tests pass a fixed one). */
  random?: () => number;
  /** Told before each retry: which retry (1-based), why, and after how long. */
  onRetry?: (retry: number, error: unknown, delayMs: number) => void;
}

export const defaultRetries = 3;

/** Whether a failed call may be sent again unchanged. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ConnectError) {
    if (error.code === Code.Unavailable) return true;
    // A transport that does not map fetch's network failure to Unavailable wraps it as Unknown.
    return error.code === Code.Unknown && isNetworkFailure(error.cause);
  }
  return isNetworkFailure(error);
}

/** fetch rejects with a TypeError when the request could not be sent or the answer not read. */
function isNetworkFailure(error: unknown): boolean {
  return error instanceof TypeError;
}

/**
 * The delay before retry number `retry` (1-based): exponential, capped, with half of it jittered
 * so that many clients do not retry in step.
 */
export function backoffDelay(retry: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 4000;
  const full = Math.min(max, base * 2 ** (retry - 1));
  const random = options.random ?? Math.random;
  return Math.round(full / 2 + (full / 2) * random());
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new ConnectError("operation was aborted", Code.Canceled);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Calls fn, and again after a growing delay while it fails with a retryable error, at most
 * `retries` times more. fn is told the attempt number (0 for the first). Rejects with the last
 * error.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const retries = options.retries ?? defaultRetries;
  const wait = options.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw abortError(options.signal);
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= retries || !isRetryable(error) || options.signal?.aborted) throw error;
      const delay = backoffDelay(attempt + 1, options);
      options.onRetry?.(attempt + 1, error, delay);
      await wait(delay, options.signal);
    }
  }
}

/** A fresh request id (a random UUID). */
export function newRequestId(): string {
  return crypto.randomUUID();
}

/**
 * One user action that changes something: it holds one request_id for as long as it lives.
 * run() sends with that id, retrying network failures; a second run() while one is under way
 * returns the same promise (a double click sends once); a run() after a failure (the user's
 * "try again") sends again with the same id, and so does a run() after success, which the server
 * answers with the first result. Start a new UserAction when the input changes.
 */
export class UserAction<T> {
  readonly requestId: string;
  #pending: Promise<T> | undefined;

  constructor(requestId: string = newRequestId()) {
    this.requestId = requestId;
  }

  get pending(): boolean {
    return this.#pending !== undefined;
  }

  run(send: (requestId: string) => Promise<T>, options?: RetryOptions): Promise<T> {
    if (this.#pending) return this.#pending;
    const p = withRetry(() => send(this.requestId), options).finally(() => {
      this.#pending = undefined;
    });
    this.#pending = p;
    return p;
  }
}

/** Sends one mutation as a new user action: a new request_id, reused by its retries. */
export function mutate<T>(send: (requestId: string) => Promise<T>, options?: RetryOptions): Promise<T> {
  return new UserAction<T>().run(send, options);
}

/**
 * The user action of a form: the same action (and so the same request_id) for as long as the
 * request it sends stays the same, a new one once the input changed. `key` is the request without
 * its request_id, e.g. its JSON. A form keeps one FormAction for its life and asks it for the
 * action on every submit: pressing "save" again after a failure retries with the first id, and
 * editing the input first makes a new id. forget() after success, so that the next entry of the
 * same text is a new action.
 */
export class FormAction<T> {
  #key: string | undefined;
  #action: UserAction<T> | undefined;

  for(key: string): UserAction<T> {
    if (!this.#action || this.#key !== key) {
      this.#action = new UserAction<T>();
      this.#key = key;
    }
    return this.#action;
  }

  /** The action under way or last used, if any. */
  get current(): UserAction<T> | undefined {
    return this.#action;
  }

  forget(): void {
    this.#action = undefined;
    this.#key = undefined;
  }
}
