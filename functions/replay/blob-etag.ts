/**
 * An ETag without its surrounding quotes. Blob downloads return it quoted (`"0x8D…"`), blob listings unquoted, so
 * ETags from the two are compared in this form.
 */
export function unquotedEtag(etag: string | undefined): string {
  return (etag ?? "").replace(/^"(.*)"$/, "$1");
}
