import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it, vi } from "vitest";
import { CaseNoteSchema, CaseService } from "./gen/consular/v1/cases_pb";
import { backoffDelay, FormAction, isRetryable, mutate, UserAction, withRetry, type RetryOptions } from "./rpc";

/** Retry options that never wait: the delays asked for are recorded instead. */
function instant(): RetryOptions & { delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    random: () => 0.5,
    sleep: async (ms) => {
      delays.push(ms);
    },
  };
}

const unavailable = () => new ConnectError("gateway down", Code.Unavailable);

describe("isRetryable", () => {
  it("retries Unavailable and network failures only", () => {
    expect(isRetryable(unavailable())).toBe(true);
    expect(isRetryable(new TypeError("Failed to fetch"))).toBe(true);
    expect(isRetryable(new ConnectError("x", Code.Unknown, undefined, undefined, new TypeError("Failed to fetch")))).toBe(true);
    for (const code of [
      Code.Unknown,
      Code.InvalidArgument,
      Code.Aborted,
      Code.FailedPrecondition,
      Code.PermissionDenied,
      Code.NotFound,
      Code.Unauthenticated,
      Code.DeadlineExceeded,
      Code.Internal,
      Code.Canceled,
    ]) {
      expect(isRetryable(new ConnectError("x", code)), Code[code]).toBe(false);
    }
    expect(isRetryable(new Error("bug"))).toBe(false);
  });
});

describe("backoffDelay", () => {
  it("doubles from the base, is capped, and jitters the upper half", () => {
    const fixed = (r: number): RetryOptions => ({ baseDelayMs: 100, maxDelayMs: 1000, random: () => r });
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, fixed(0)))).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, fixed(0.999999)))).toEqual([100, 200, 400, 800, 1000]);
  });
});

describe("withRetry", () => {
  it("returns at once when the first attempt succeeds", async () => {
    const fn = vi.fn(async () => "ok");
    const opts = instant();
    await expect(withRetry(fn, opts)).resolves.toBe("ok");
    expect(fn).toHaveBeenCalledTimes(1);
    expect(opts.delays).toEqual([]);
  });

  it("retries Unavailable with growing delays until it succeeds", async () => {
    let calls = 0;
    const opts = instant();
    const onRetry = vi.fn();
    const result = await withRetry(
      async (attempt) => {
        expect(attempt).toBe(calls);
        calls++;
        if (calls < 3) throw unavailable();
        return "third time";
      },
      { ...opts, onRetry },
    );
    expect(result).toBe("third time");
    expect(calls).toBe(3);
    expect(opts.delays).toEqual([188, 375]); // 250 and 500, with half of each jittered at 0.5
    expect(onRetry.mock.calls.map((c) => c[0])).toEqual([1, 2]);
  });

  it("gives up after 3 retries (4 attempts) with the last error", async () => {
    const opts = instant();
    let calls = 0;
    const p = withRetry(async () => {
      calls++;
      throw new ConnectError(`down ${calls}`, Code.Unavailable);
    }, opts);
    await expect(p).rejects.toThrow("down 4");
    expect(calls).toBe(4);
    expect(opts.delays).toHaveLength(3);
  });

  it("does not retry an error about the request itself", async () => {
    for (const code of [Code.InvalidArgument, Code.Aborted, Code.PermissionDenied, Code.Unauthenticated]) {
      const fn = vi.fn(async () => {
        throw new ConnectError("no", code);
      });
      await expect(withRetry(fn, instant())).rejects.toMatchObject({ code });
      expect(fn).toHaveBeenCalledTimes(1);
    }
  });

  it("stops when aborted while waiting", async () => {
    const controller = new AbortController();
    let calls = 0;
    const p = withRetry(
      async () => {
        calls++;
        throw unavailable();
      },
      {
        signal: controller.signal,
        sleep: async () => {
          controller.abort();
          throw new ConnectError("aborted", Code.Canceled);
        },
      },
    );
    await expect(p).rejects.toMatchObject({ code: Code.Canceled });
    expect(calls).toBe(1);
  });

  it("waits for real with the default sleep", async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      const p = withRetry(async () => {
        calls++;
        if (calls === 1) throw unavailable();
        return calls;
      }, { random: () => 0 });
      await vi.advanceTimersByTimeAsync(124);
      expect(calls).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      await expect(p).resolves.toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("UserAction", () => {
  it("sends every retry of one action with the same request id", async () => {
    const seen: string[] = [];
    const action = new UserAction<string>();
    const result = await action.run(async (requestId) => {
      seen.push(requestId);
      if (seen.length < 3) throw unavailable();
      return "saved";
    }, instant());
    expect(result).toBe("saved");
    expect(seen).toHaveLength(3);
    expect(new Set(seen)).toEqual(new Set([action.requestId]));
    expect(action.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("keeps the id when the user tries again after the retries gave up", async () => {
    const seen: string[] = [];
    const action = new UserAction<string>();
    const send = async (requestId: string) => {
      seen.push(requestId);
      if (seen.length <= 4) throw unavailable();
      return "saved";
    };
    await expect(action.run(send, instant())).rejects.toMatchObject({ code: Code.Unavailable });
    expect(seen).toHaveLength(4);
    await expect(action.run(send, instant())).resolves.toBe("saved");
    expect(new Set(seen)).toEqual(new Set([action.requestId]));
  });

  it("sends once while a run is under way (a double click)", async () => {
    let release!: (v: string) => void;
    const send = vi.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const action = new UserAction<string>();
    const a = action.run(send);
    const b = action.run(send);
    expect(action.pending).toBe(true);
    release("done");
    await expect(Promise.all([a, b])).resolves.toEqual(["done", "done"]);
    expect(send).toHaveBeenCalledTimes(1);
    expect(action.pending).toBe(false);
  });

  it("gives each new action a new id", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) await mutate(async (id) => ids.add(id), instant());
    expect(ids.size).toBe(5);
  });
});

describe("FormAction", () => {
  it("keeps one request id while the request stays the same, and takes a new one when it changes", () => {
    const form = new FormAction<string>();
    const first = form.for('{"text":"a"}');
    expect(form.for('{"text":"a"}')).toBe(first);
    const changed = form.for('{"text":"b"}');
    expect(changed.requestId).not.toBe(first.requestId);
    // Changing the input back is another action too: the server saw "b" under the last id.
    expect(form.for('{"text":"a"}').requestId).not.toBe(first.requestId);
  });

  it("starts afresh after forget(), so the same text entered again is a new action", () => {
    const form = new FormAction<string>();
    const first = form.for("same");
    expect(form.current).toBe(first);
    form.forget();
    expect(form.current).toBeUndefined();
    expect(form.for("same").requestId).not.toBe(first.requestId);
  });
});

describe("retries through a transport", () => {
  it("an AddCaseNote that meets an unavailable service twice is sent three times with one request_id", async () => {
    const requestIds: string[] = [];
    const transport = createRouterTransport(({ service }) => {
      service(CaseService, {
        addCaseNote(req) {
          requestIds.push(req.requestId);
          if (requestIds.length <= 2) throw new ConnectError("restarting", Code.Unavailable);
          return create(CaseNoteSchema, { id: "n1", caseId: req.caseId, text: req.text });
        },
      });
    });
    const client = createClient(CaseService, transport);
    const note = await mutate(
      (requestId) => client.addCaseNote({ requestId, caseId: "ABN-2026-00042", text: "Called back." }),
      instant(),
    );
    expect(note.id).toBe("n1");
    expect(requestIds).toHaveLength(3);
    expect(requestIds[0]).not.toBe("");
    expect(new Set(requestIds).size).toBe(1);
  });

  it("an ABORTED (stale version) is not retried", async () => {
    let calls = 0;
    const transport = createRouterTransport(({ service }) => {
      service(CaseService, {
        transitionCase() {
          calls++;
          throw new ConnectError("stale version", Code.Aborted);
        },
      });
    });
    const client = createClient(CaseService, transport);
    await expect(
      mutate((requestId) => client.transitionCase({ requestId, caseId: "ABN-2026-00042", expectedVersion: 3n }), instant()),
    ).rejects.toMatchObject({ code: Code.Aborted });
    expect(calls).toBe(1);
  });
});
