// New articles appear on the front page without a reload (server-sent events).
// Everything from the server goes into the page as text (textContent), never as HTML.
(function () {
  "use strict";
  var list = document.getElementById("articles");
  if (!list || list.dataset.live !== "true" || !window.EventSource) {
    return;
  }
  var status = document.getElementById("live-status");
  var source = new EventSource("/events");
  source.onopen = function () {
    if (status) { status.className = "live connected"; }
  };
  source.onerror = function () {
    if (status) { status.className = "live"; }
  };
  source.addEventListener("article", function (event) {
    var article = JSON.parse(event.data);
    if (document.getElementById("article-" + article.id)) {
      return;
    }
    var item = document.createElement("li");
    item.className = "article new";
    item.id = "article-" + article.id;
    var link = document.createElement("a");
    link.href = article.href;
    link.textContent = article.heading;
    item.appendChild(link);
    var meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = " " + article.source + " " + article.published;
    item.appendChild(meta);
    if (article.snippet) {
      var snippet = document.createElement("p");
      snippet.className = "snippet";
      snippet.textContent = article.snippet;
      item.appendChild(snippet);
    }
    list.insertBefore(item, list.firstChild);
    var empty = document.getElementById("no-articles");
    if (empty) { empty.remove(); }
  });
})();
