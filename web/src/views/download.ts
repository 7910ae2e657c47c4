// A file the service sent, handed to the browser's downloads: a Blob behind an object URL that is
// revoked right after. Nothing is kept in the page or in browser storage.
import { h } from "../dom";

export function saveFile(content: BlobPart, mediaType: string, fileName: string): void {
  const blob = new Blob([content], { type: mediaType || "application/octet-stream" });
  const href = URL.createObjectURL(blob);
  const link = h("a", { href, download: fileName, class: "visually-hidden", tabindex: -1 }, fileName);
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(href), 1000);
}
