// Opened from disk (file://, a reader with no network), the browser refuses the search's
// fetch of each hit's page for its excerpt, with an error per hit: list the hits without
// excerpts there. Served over HTTP (GitHub Pages), the search shows the excerpts.
if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
  DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
}
