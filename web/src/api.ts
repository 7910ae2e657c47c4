// The gRPC-Web transport to the gateway, and the service clients.
import { Code, ConnectError, createClient, type CallOptions, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { AuditService } from "./gen/consular/v1/audit_pb";
import { CaseService } from "./gen/consular/v1/cases_pb";
import { ContactService, PartnerService } from "./gen/consular/v1/contacts_pb";
import { ExportService } from "./gen/consular/v1/exports_pb";
import { RecordsService } from "./gen/consular/v1/records_pb";
import { BilateralService, ReportService, StatisticsService } from "./gen/consular/v1/statistics_pb";
import { csrfHeader } from "./session";

/** Why the caller reads or changes data; the audit trail records it. */
export type AccessPurpose = "casework" | "supervision" | "emergency" | "audit" | "statistics-correction";
export const accessPurposeHeader = "x-access-purpose";
export const defaultAccessPurpose: AccessPurpose = "casework";

/** Call options that state another access purpose than casework. */
export function withPurpose(purpose: AccessPurpose, options: CallOptions = {}): CallOptions {
  const headers = new Headers(options.headers);
  headers.set(accessPurposeHeader, purpose);
  return { ...options, headers };
}

/**
 * Adds the session's CSRF token to every call (they are all POSTs), and the access purpose
 * "casework" unless the call states one.
 */
export function sessionInterceptor(csrf: () => string | undefined): Interceptor {
  return (next) => async (req) => {
    const token = csrf();
    if (token) req.header.set(csrfHeader, token);
    if (!req.header.has(accessPurposeHeader)) req.header.set(accessPurposeHeader, defaultAccessPurpose);
    return next(req);
  };
}

type Fetch = typeof fetch;

/**
 * fetch for the transport: same-origin credentials (the session cookie), and a network failure
 * (fetch's TypeError) reported as Code.Unavailable so that it is retried like a 502/503/504.
 */
export function gatewayFetch(fetchImpl: Fetch = (input, init) => globalThis.fetch(input, init)): Fetch {
  return async (input, init) => {
    try {
      return await fetchImpl(input, { ...init, credentials: "same-origin" });
    } catch (error) {
      if (error instanceof TypeError) {
        throw new ConnectError("network failure", Code.Unavailable, undefined, undefined, error);
      }
      throw error;
    }
  };
}

export interface TransportOptions {
  baseUrl?: string;
  fetch?: Fetch;
}

/** gRPC-Web, binary, to the gateway at the page's own origin. */
export function createGatewayTransport(csrf: () => string | undefined, options: TransportOptions = {}): Transport {
  return createGrpcWebTransport({
    baseUrl: options.baseUrl ?? location.origin,
    useBinaryFormat: true,
    interceptors: [sessionInterceptor(csrf)],
    fetch: gatewayFetch(options.fetch),
  });
}

export interface Clients {
  cases: Client<typeof CaseService>;
  contacts: Client<typeof ContactService>;
  partners: Client<typeof PartnerService>;
  audit: Client<typeof AuditService>;
  statistics: Client<typeof StatisticsService>;
  reports: Client<typeof ReportService>;
  bilateral: Client<typeof BilateralService>;
  records: Client<typeof RecordsService>;
  exports: Client<typeof ExportService>;
}

export function createClients(transport: Transport): Clients {
  return {
    cases: createClient(CaseService, transport),
    contacts: createClient(ContactService, transport),
    partners: createClient(PartnerService, transport),
    audit: createClient(AuditService, transport),
    statistics: createClient(StatisticsService, transport),
    reports: createClient(ReportService, transport),
    bilateral: createClient(BilateralService, transport),
    records: createClient(RecordsService, transport),
    exports: createClient(ExportService, transport),
  };
}
