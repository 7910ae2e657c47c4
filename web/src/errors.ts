// Failed calls in words for the person using the screen.
import { Code, ConnectError } from "@connectrpc/connect";
import { t } from "./i18n/i18n";

export function isUnauthenticated(error: unknown): boolean {
  return error instanceof ConnectError && error.code === Code.Unauthenticated;
}

export function isAbort(error: unknown): boolean {
  return (
    (error instanceof ConnectError && error.code === Code.Canceled) ||
    (error instanceof DOMException && error.name === "AbortError")
  );
}

/** A sentence about a failed call; the technical detail stays out of it. */
export function errorMessage(error: unknown): string {
  const e = ConnectError.from(error);
  switch (e.code) {
    case Code.Unavailable:
      return t("error.unavailable");
    case Code.DeadlineExceeded:
      return t("error.timeout");
    case Code.PermissionDenied:
      return t("error.permissionDenied");
    case Code.NotFound:
      return t("error.notFound");
    case Code.Unauthenticated:
      return t("error.sessionEnded");
    case Code.InvalidArgument:
      return t("error.invalidArgument");
    case Code.ResourceExhausted:
      return t("error.tooManyRequests");
    default:
      return t("error.other", { code: Code[e.code] ?? String(e.code) });
  }
}
