/*
 * Register filter for /register/.
 *
 * The register page is complete without JavaScript: every current signatory
 * is in the table. This script only adds a way to narrow and sort it. It
 * reveals #register-tools, reads the filter state from the address (so a
 * filtered view can be shared), and writes it back with history.replaceState
 * (so the back button is not filled with one entry per keystroke).
 *
 * Speed: the register may hold 10,000 rows. Each row's searchable facts are
 * read once into a plain array (from the DOM, or straight from rows.json),
 * with the name already lower-cased and stripped of accents; a filter pass
 * is then a loop over that array that touches the DOM only for rows whose
 * visibility changes. Rows are hidden with the `hidden` attribute rather
 * than removed, so links and the no-JS layout stay as they are.
 *
 * Two things cost far more than the matching. Laying out thousands of table
 * rows: Chromium on a small machine needs most of a second for 10,000
 * visible rows, so at most SHOW_AT_ONCE matching rows are shown after each
 * change, with a "Show all" button under the table for the rest (the count
 * always gives the full number of matches). And style invalidation: the
 * theme's stylesheet has a rule of the form `.a:not([hidden]) ~ .b`, so
 * Chromium answers every change of `hidden` on a row by checking each later
 * sibling of that row. In one tbody of 10,000 rows a keystroke that hides
 * 100 rows and shows 100 others made it check about a million rows (some
 * 80 ms on a small machine). So a long register's rows are spread over
 * several tbody elements of ROWS_PER_BODY rows each, in the same order;
 * a table may have any number of them and they are read as one. Short
 * registers keep their single tbody.
 */
(function () {
  "use strict";

  var FILTERS = ["sector", "size", "activity", "year", "founding"];
  var SORTS = ["name", "newest", "oldest"];
  var SHOW_AT_ONCE = 100;
  var ROWS_PER_BODY = 100;

  /** Lower case without accents, so "cafe" finds "Café" and "eglise" finds "Église". */
  function fold(text) {
    var lowered = String(text).toLowerCase();
    return lowered.normalize ? lowered.normalize("NFD").replace(/[\u0300-\u036f]/g, "") : lowered;
  }

  function init() {
    var table = document.getElementById("register-table");
    var tools = document.getElementById("register-tools");
    var form = document.getElementById("register-filters");
    if (!table || !tools || !form || !table.tBodies.length) {
      return;
    }
    var count = document.getElementById("register-count");
    var empty = document.getElementById("register-empty");
    var more = document.getElementById("register-more");
    var moreText = document.getElementById("register-more-text");
    var showAll = document.getElementById("register-show-all");
    var search = form.elements.namedItem("q");
    var sortSelect = form.elements.namedItem("sort");
    var headers = {
      name: table.querySelector('th[data-sort="name"]'),
      signed: table.querySelector('th[data-sort="signed"]')
    };

    /** One entry of the row index. `activities` is padded with spaces so a lookup needs no array. */
    function entry(el, order, name, sector, size, activities, signed, founding) {
      return {
        el: el,
        order: order,
        name: fold(name),
        sector: sector || "",
        size: size || "",
        activities: " " + (activities || "") + " ",
        year: (signed || "").slice(0, 4),
        signed: signed || "",
        founding: founding || "no",
        shown: !el.hidden
      };
    }

    /** The row index, built once per set of rows. `order` is the page's own (name) order. */
    function indexRows() {
      var list = [];
      Array.prototype.forEach.call(table.tBodies, function (group) {
        Array.prototype.forEach.call(group.rows, function (row) {
          var data = row.dataset;
          var link = row.cells[0].querySelector("a");
          list.push(entry(row, list.length, link ? link.textContent : row.textContent, data.sector, data.size,
            data.activities, data.signed, data.founding));
        });
      });
      return list;
    }

    /**
     * Put the rows into the table in the order given, ROWS_PER_BODY to a
     * tbody (see "Speed" above). The row groups are taken out of the table,
     * refilled and put back in one insertion, so the page is restyled once
     * rather than once per row. Rows not in `list` are dropped.
     */
    function placeRows(list) {
      var groups = Array.prototype.slice.call(table.tBodies);
      var after = groups[groups.length - 1].nextSibling;  // a tfoot, or nothing
      groups.forEach(function (group) {
        group.remove();
      });
      var fresh = document.createDocumentFragment();
      var needed = Math.max(1, Math.ceil(list.length / ROWS_PER_BODY));
      for (var g = 0; g < needed; g += 1) {
        var group = groups[g] || document.createElement("tbody");
        var part = document.createDocumentFragment();
        var end = Math.min(list.length, (g + 1) * ROWS_PER_BODY);
        for (var i = g * ROWS_PER_BODY; i < end; i += 1) {
          part.appendChild(list[i].el);
        }
        group.replaceChildren(part);
        fresh.appendChild(group);
      }
      table.insertBefore(fresh, after);
    }

    var rows = indexRows();
    if (rows.length > ROWS_PER_BODY) {
      placeRows(rows);
    }
    var total = rows.length;
    var rowsSource = table.getAttribute("data-rows-src");
    var ordered = rows;  // rows in the order the table shows them
    var currentSort = "name";
    var limit = SHOW_AT_ONCE;
    var lastQuery = null;

    function state() {
      var values = { q: search.value.trim(), sort: sortSelect.value };
      FILTERS.forEach(function (name) {
        values[name] = form.elements.namedItem(name).value;
      });
      return values;
    }

    function matches(row, want, query) {
      return (!query || row.name.indexOf(query) !== -1) &&
        (!want.sector || row.sector === want.sector) &&
        (!want.size || row.size === want.size) &&
        (!want.activity || row.activities.indexOf(" " + want.activity + " ") !== -1) &&
        (!want.year || row.year === want.year) &&
        (!want.founding || row.founding === want.founding);
    }

    function sortRows(sort) {
      if (sort === currentSort) {
        return;
      }
      var sorted = rows.slice();
      if (sort !== "name") {
        var direction = sort === "newest" ? -1 : 1;
        sorted.sort(function (a, b) {
          if (a.signed !== b.signed) {
            return a.signed < b.signed ? -direction : direction;
          }
          return a.order - b.order;
        });
      }
      placeRows(sorted);
      ordered = sorted;
      currentSort = sort;
      if (headers.name) {
        if (sort === "name") {
          headers.name.setAttribute("aria-sort", "ascending");
        } else {
          headers.name.removeAttribute("aria-sort");
        }
      }
      if (headers.signed) {
        if (sort === "name") {
          headers.signed.removeAttribute("aria-sort");
        } else {
          headers.signed.setAttribute("aria-sort", sort === "newest" ? "descending" : "ascending");
        }
      }
    }

    function writeAddress(want) {
      if (!window.history || !window.history.replaceState) {
        return;
      }
      var params = new URLSearchParams();
      if (want.q) {
        // "name", not "q": the theme's site search opens itself for ?q=.
        params.set("name", want.q);
      }
      FILTERS.forEach(function (name) {
        if (want[name]) {
          params.set(name, want[name]);
        }
      });
      if (want.sort !== "name") {
        params.set("sort", want.sort);
      }
      var query = params.toString();
      var address = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
      if (address !== window.location.pathname + window.location.search + window.location.hash) {
        window.history.replaceState(window.history.state, "", address);
      }
    }

    function update() {
      var want = state();
      var query = fold(want.q);
      var key = JSON.stringify(want);
      if (key !== lastQuery) {
        // A new filter starts again from the first SHOW_AT_ONCE matches.
        limit = SHOW_AT_ONCE;
        lastQuery = key;
      }
      var found = 0;
      sortRows(want.sort);
      for (var i = 0; i < total; i += 1) {
        var row = ordered[i];
        var match = matches(row, want, query);
        var show = match && found < limit;
        if (match) {
          found += 1;
        }
        if (show !== row.shown) {
          row.el.hidden = !show;
          row.shown = show;
        }
      }
      var noun = total === 1 ? "signatory" : "signatories";
      var text = found + " of " + total + " " + noun;
      if (count.textContent !== text) {
        count.textContent = text;
      }
      if (empty) {
        empty.hidden = found !== 0 || total === 0;
      }
      if (more) {
        more.hidden = found <= limit;
        if (found > limit) {
          moreText.textContent = "Showing the first " + limit + " of " + found.toLocaleString("en-GB") +
            " matching signatories.";
          showAll.textContent = "Show all " + found.toLocaleString("en-GB");
        }
      }
      writeAddress(want);
    }

    /** Set a select from the address only when the value is one it offers. */
    function restore() {
      var params = new URLSearchParams(window.location.search);
      search.value = params.get("name") || "";
      FILTERS.forEach(function (name) {
        var select = form.elements.namedItem(name);
        var value = params.get(name) || "";
        var offered = Array.prototype.some.call(select.options, function (option) {
          return option.value === value;
        });
        select.value = offered ? value : "";
      });
      var sort = params.get("sort");
      sortSelect.value = SORTS.indexOf(sort) !== -1 ? sort : "name";
    }

    if (showAll) {
      showAll.addEventListener("click", function () {
        // The first hidden match is where reading continues: move focus there, not back to the top.
        var next = null;
        var want = state();
        var query = fold(want.q);
        for (var i = 0; i < total && next === null; i += 1) {
          if (!ordered[i].shown && matches(ordered[i], want, query)) {
            next = ordered[i];
          }
        }
        limit = Infinity;
        update();
        var link = next && next.el.querySelector("a");
        if (link) {
          link.focus();
        }
      });
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", function (event) {
      // Enter in the search box: the table is already filtered, so stay put.
      event.preventDefault();
      update();
    });
    form.addEventListener("reset", function () {
      // The form's reset runs after this event, so read the cleared values next tick.
      window.setTimeout(update, 0);
    });

    restore();
    tools.hidden = false;
    if (rowsSource) {
      loadAllRows();
    } else {
      update();
    }

    /**
     * A register split into pages holds only one page of rows; the filter
     * covers them all by loading the compact list the build publishes beside it.
     */
    function loadAllRows() {
      count.textContent = "Loading every signatory so the search covers the whole register…";
      fetch(rowsSource, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          var prefix = table.getAttribute("data-link-prefix") || "";
          // The index comes from the list itself: nothing is read back from the new rows.
          rows = data.rows.map(function (values, order) {
            return entry(buildRow(values, data, prefix), order, values[1], values[2], values[3], values[4],
              values[5], values[7] ? "yes" : "");
          });
          placeRows(rows);
          total = rows.length;
          ordered = rows;
          currentSort = "name";
          lastQuery = null;
          update();
        })
        .catch(function () {
          // The page's own rows still work: filter those and say so.
          update();
          count.textContent += " (this page only: the full list could not be loaded)";
        });
    }

    /** One table row from the compact list, built with text nodes only (names are never parsed as HTML). */
    function buildRow(values, data, prefix) {
      var row = document.createElement("tr");
      row.hidden = true;
      row.dataset.sector = values[2];
      row.dataset.size = values[3];
      row.dataset.activities = values[4];
      row.dataset.signed = values[5];
      if (values[7]) {
        row.dataset.founding = "yes";
      }
      var nameCell = document.createElement("td");
      var link = document.createElement("a");
      link.href = prefix + values[0] + "/";
      link.textContent = values[1];
      nameCell.appendChild(link);
      if (values[7]) {
        var mark = document.createElement("span");
        mark.className = "founding";
        mark.textContent = "(founding member)";
        nameCell.append(" ", mark);
      }
      row.appendChild(nameCell);
      [data.sectors[values[2]], data.sizes[values[3]], values[6]].forEach(function (text) {
        var cell = document.createElement("td");
        cell.textContent = text;
        row.appendChild(cell);
      });
      return row;
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/*
 * Badge files made in the browser, on a signatory's page.
 *
 * The site publishes a badge's two SVGs and its PDF; the PNGs and the ZIP kit
 * are drawn here from the SVG when a visitor asks for one. Until then the
 * page loads nothing more: this only reveals the buttons, and the first click
 * loads badge-kit.js (beside this script) to do the work. Without JavaScript
 * the buttons stay hidden and the published files are there as links.
 */
(function () {
  "use strict";

  var here = document.currentScript && document.currentScript.src;

  function load(then) {
    if (window.svcharterBadgeKit) {
      then(window.svcharterBadgeKit);
      return;
    }
    var script = document.createElement("script");
    script.src = new URL("badge-kit.js", here).href;
    script.onload = function () { then(window.svcharterBadgeKit); };
    script.onerror = function () { then(null); };
    document.head.appendChild(script);
  }

  function init() {
    var kit = document.querySelector("[data-badge-kit]");
    if (!kit || !here) {
      return;
    }
    var status = kit.querySelector(".badge-make-status");
    kit.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-make]");
      if (!button) {
        return;
      }
      status.textContent = "Making " + button.getAttribute("data-make") + "…";
      load(function (maker) {
        if (!maker) {
          status.textContent = "Sorry: the badge maker could not be loaded. The SVG and PDF files above still work.";
          return;
        }
        maker.make(kit, button, status);
      });
    });
    kit.hidden = false;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
