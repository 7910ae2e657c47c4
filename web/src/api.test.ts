import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createClients, createGatewayTransport, gatewayFetch, withPurpose } from "./api";
import { CaseSchema, GetCaseRequestSchema, ListCasesRequestSchema, ListCasesResponseSchema } from "./gen/consular/v1/cases_pb";
import { CaseStatus } from "./gen/consular/v1/common_pb";
import { withRetry } from "./rpc";

const origin = "https://localhost:8443";

function envelope(flags: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + data.length);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, data.length);
  out.set(data, 5);
  return out;
}

/** A gRPC-Web (binary) answer as the gateway sends it: the message, then the trailers. */
function grpcWebResponse(message: Uint8Array | undefined, status = 0, statusMessage = ""): Response {
  const trailer = new TextEncoder().encode(`grpc-status: ${status}\r\ngrpc-message: ${encodeURIComponent(statusMessage)}\r\n`);
  const parts = [message ? envelope(0, message) : new Uint8Array(), envelope(0x80, trailer)];
  const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    body.set(p, at);
    at += p.length;
  }
  return new Response(body, { status: 200, headers: { "Content-Type": "application/grpc-web+proto" } });
}

interface Sent {
  url: string;
  init: RequestInit;
  headers: Headers;
  body: Uint8Array;
}

function recordingFetch(answer: (sent: Sent) => Response | Promise<Response>): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const f: typeof fetch = async (input, init = {}) => {
    const s: Sent = {
      url: String(input),
      init,
      headers: new Headers(init.headers),
      body: new Uint8Array(init.body as ArrayBuffer | Uint8Array),
    };
    sent.push(s);
    return answer(s);
  };
  return { fetch: f, sent };
}

/** The request message inside a gRPC-Web request body. */
function unframe(body: Uint8Array): Uint8Array {
  const length = new DataView(body.buffer, body.byteOffset).getUint32(1);
  return body.subarray(5, 5 + length);
}

describe("the gateway transport", () => {
  it("POSTs binary gRPC-Web to /<package.Service>/<Method> with the CSRF token and access purpose", async () => {
    const { fetch, sent } = recordingFetch(() =>
      grpcWebResponse(
        toBinary(
          ListCasesResponseSchema,
          create(ListCasesResponseSchema, {
            cases: [create(CaseSchema, { reference: "ABN-2026-00042", status: CaseStatus.ACTIVE })],
            nextPageToken: "p2",
          }),
        ),
      ),
    );
    const clients = createClients(createGatewayTransport(() => "csrf-123", { baseUrl: origin, fetch }));
    const response = await clients.cases.listCases({ pageSize: 25, pageToken: "p1" });

    expect(response.cases.map((c) => c.reference)).toEqual(["ABN-2026-00042"]);
    expect(response.nextPageToken).toBe("p2");
    expect(sent).toHaveLength(1);
    const s = sent[0]!;
    expect(s.url).toBe(`${origin}/consular.v1.CaseService/ListCases`);
    expect(s.init.method).toBe("POST");
    expect(s.init.credentials).toBe("same-origin");
    expect(s.headers.get("content-type")).toBe("application/grpc-web+proto");
    expect(s.headers.get("x-csrf-token")).toBe("csrf-123");
    expect(s.headers.get("x-access-purpose")).toBe("casework");
    expect(s.headers.get("authorization")).toBeNull();
    const req = fromBinary(ListCasesRequestSchema, unframe(s.body));
    expect(req.pageSize).toBe(25);
    expect(req.pageToken).toBe("p1");
  });

  it("sends another access purpose when the call states one", async () => {
    const { fetch, sent } = recordingFetch(() => grpcWebResponse(toBinary(CaseSchema, create(CaseSchema, { reference: "ABN-2026-00001" }))));
    const clients = createClients(createGatewayTransport(() => "t", { baseUrl: origin, fetch }));
    const c = await clients.cases.getCase({ caseId: "ABN-2026-00001" }, withPurpose("emergency"));
    expect(c.reference).toBe("ABN-2026-00001");
    expect(sent[0]!.headers.get("x-access-purpose")).toBe("emergency");
    expect(fromBinary(GetCaseRequestSchema, unframe(sent[0]!.body)).caseId).toBe("ABN-2026-00001");
  });

  it("reads the CSRF token at each call, so a new session's token is used", async () => {
    let token = "first";
    const { fetch, sent } = recordingFetch(() => grpcWebResponse(toBinary(CaseSchema, create(CaseSchema))));
    const clients = createClients(createGatewayTransport(() => token, { baseUrl: origin, fetch }));
    await clients.cases.getCase({ caseId: "x" });
    token = "second";
    await clients.cases.getCase({ caseId: "x" });
    expect(sent.map((s) => s.headers.get("x-csrf-token"))).toEqual(["first", "second"]);
  });

  it("reports an error status from the trailers as a ConnectError", async () => {
    const { fetch } = recordingFetch(() => grpcWebResponse(undefined, Code.NotFound, "no such case"));
    const clients = createClients(createGatewayTransport(() => "t", { baseUrl: origin, fetch }));
    await expect(clients.cases.getCase({ caseId: "ABN-2026-99999" })).rejects.toMatchObject({
      code: Code.NotFound,
      rawMessage: "no such case",
    });
  });

  it("maps an HTTP 401 (session gone) to Unauthenticated and a 503 to Unavailable", async () => {
    for (const [status, code] of [
      [401, Code.Unauthenticated],
      [503, Code.Unavailable],
    ] as const) {
      const { fetch } = recordingFetch(() => new Response("", { status }));
      const clients = createClients(createGatewayTransport(() => "t", { baseUrl: origin, fetch }));
      await expect(clients.cases.getCase({ caseId: "x" })).rejects.toMatchObject({ code });
    }
  });

  it("reports a network failure as Unavailable, which withRetry sends again", async () => {
    let calls = 0;
    const { fetch } = recordingFetch(() => {
      calls++;
      if (calls < 3) throw new TypeError("Failed to fetch");
      return grpcWebResponse(toBinary(CaseSchema, create(CaseSchema, { reference: "ABN-2026-00042" })));
    });
    const clients = createClients(createGatewayTransport(() => "t", { baseUrl: origin, fetch }));
    const c = await withRetry(() => clients.cases.getCase({ caseId: "ABN-2026-00042" }), { sleep: async () => {} });
    expect(c.reference).toBe("ABN-2026-00042");
    expect(calls).toBe(3);
  });
});

describe("gatewayFetch", () => {
  it("passes other errors through unchanged", async () => {
    const boom = new RangeError("bad");
    const f = gatewayFetch(async () => {
      throw boom;
    });
    await expect(f("/x")).rejects.toBe(boom);
  });

  it("wraps fetch's TypeError with Code.Unavailable, keeping the cause", async () => {
    const cause = new TypeError("Failed to fetch");
    const f = gatewayFetch(async () => {
      throw cause;
    });
    const error = await f("/x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Unavailable);
    expect((error as ConnectError).cause).toBe(cause);
  });
});
