/*
 * Sign-up form for /sign-up/.
 *
 * Without JavaScript the page offers a plain-text application to download.
 * This script marks the page as scripted before the content is drawn (it is
 * loaded, not deferred, above the content), so the no-JavaScript steps are
 * never shown and then taken away, and it turns the form on.
 *
 * Nothing about the rules is written here. The page carries them as JSON
 * (#signup-rules), generated from svcharter/fields.py and the validator's
 * own messages: each answer's rules run in order and the first one that
 * fails gives its message, exactly as `python build.py check` would print it.
 * The application block is written in the format of
 * svcharter/application.py, which the charter team's `add --application`
 * reads; a browser test checks the two agree.
 *
 * Answers are only ever put on the page with textContent, never as HTML.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("signup-js");

  /** Characters, not UTF-16 units: Python counts a character outside the BMP as one. */
  function chars(text) {
    return Array.from(text);
  }

  function hex(point, digits) {
    var text = point.toString(16);
    while (text.length < digits) {
      text = "0" + text;
    }
    return text;
  }

  var UNPRINTABLE = /[\p{C}\p{Z}]/u;

  /** A string as Python's repr() writes it, because `check` quotes values that way. */
  function pyRepr(text) {
    var quote = text.indexOf("'") >= 0 && text.indexOf('"') < 0 ? '"' : "'";
    var escapes = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
    var out = chars(text).map(function (ch) {
      if (ch === quote) {
        return "\\" + ch;
      }
      if (escapes[ch]) {
        return escapes[ch];
      }
      if (ch !== " " && UNPRINTABLE.test(ch)) {
        var point = ch.codePointAt(0);
        return point < 0x100 ? "\\x" + hex(point, 2) : point < 0x10000 ? "\\u" + hex(point, 4) : "\\U" + hex(point, 8);
      }
      return ch;
    });
    return quote + out.join("") + quote;
  }

  /** Fill a message template the way Python's str.format fills it in the validator. */
  function fill(template, value, values) {
    return template.replace(/\{(\w+)(!r)?\}/g, function (whole, name, asRepr) {
      if (name === "value") {
        return asRepr ? pyRepr(value) : value;
      }
      return String(values[name]);
    });
  }

  function Rules(data) {
    var whitespace = new RegExp("[" + data.whitespace + "]+", "u");
    Object.keys(data.answers).forEach(function (key) {
      data.answers[key].rules.forEach(function (rule) {
        if (rule.rule === "pattern") {
          rule.regex = new RegExp(rule.pattern, "u");
        }
      });
    });

    /** Whitespace collapsed as Python's " ".join(text.split()) does: the form sends what "Check your answers" shows. */
    function oneLine(text) {
      return String(text).split(whitespace).filter(Boolean).join(" ");
    }

    function inRanges(point, ranges) {
      return ranges.some(function (range) {
        return point >= range[0] && point <= range[1];
      });
    }

    function undrawable(value, ranges) {
      var seen = {};
      chars(value.normalize("NFC")).forEach(function (ch) {
        var point = ch.codePointAt(0);
        if (ch !== " " && !inRanges(point, ranges)) {
          seen[point] = ch;
        }
      });
      return Object.keys(seen).map(Number).sort(function (a, b) { return a - b; }).map(function (point) {
        return "'" + seen[point] + "' (U+" + hex(point, 4).toUpperCase() + ")";
      });
    }

    function failure(rule, value) {
      if (rule.rule === "pattern") {
        var found = rule.regex.exec(value);
        if (Boolean(found) === rule.match) {
          return "";
        }
        return fill(rule.message, value, { found: found ? "U+" + hex(found[0].codePointAt(0), 4).toUpperCase() : "" });
      }
      if (rule.rule === "max_length") {
        var length = chars(value).length;
        return length > rule.limit ? fill(rule.message, value, { length: length, limit: rule.limit }) : "";
      }
      if (rule.rule === "characters") {
        var missing = undrawable(value, rule.ranges);
        return missing.length ? fill(rule.message, value, { shown: missing.join(", ") }) : "";
      }
      return "";
    }

    /** The validator's message for this answer, or "" when it passes. */
    function problem(key, value) {
      var spec = data.answers[key];
      if (spec.list) {
        return "";
      }
      if (value === "") {
        return spec.required ? spec.missing : "";
      }
      for (var i = 0; i < spec.rules.length; i += 1) {
        var message = failure(spec.rules[i], value);
        if (message) {
          return message;
        }
      }
      return "";
    }

    function wrapped(key, text) {
      if (!text) {
        return [key + ":"];
      }
      var lines = [];
      var current = null;
      (key + ": " + text).split(" ").forEach(function (word) {
        if (current === null) {
          current = word;
        } else if (chars(current).length + 1 + chars(word).length <= data.width) {
          current += " " + word;
        } else {
          lines.push(current);
          current = "  " + word;
        }
      });
      lines.push(current);
      return lines;
    }

    /** The application block, as svcharter/application.py's format_application writes it. */
    function block(answers) {
      var lines = [data.begin];
      data.keys.forEach(function (key) {
        var value = answers[key] || "";
        var text = Array.isArray(value) ? value.map(oneLine).filter(Boolean).join(", ") : oneLine(value);
        lines.push.apply(lines, wrapped(key, text));
      });
      lines.push(data.end);
      return lines.join("\n") + "\n";
    }

    return { data: data, oneLine: oneLine, problem: problem, block: block, length: function (text) {
      return chars(oneLine(text)).length;
    } };
  }

  /* The block writer, for the browser test that compares it with Python's. */
  window.svcharterSignup = { Rules: Rules };

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function addDescribedBy(node, id) {
    var ids = (node.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (ids.indexOf(id) < 0) {
      ids.push(id);
    }
    node.setAttribute("aria-describedby", ids.join(" "));
  }

  function removeDescribedBy(node, id) {
    var ids = (node.getAttribute("aria-describedby") || "").split(" ").filter(function (each) {
      return each && each !== id;
    });
    if (ids.length) {
      node.setAttribute("aria-describedby", ids.join(" "));
    } else {
      node.removeAttribute("aria-describedby");
    }
  }

  function CharacterCount(group, rules) {
    var input = group.querySelector(".signup-input");
    var info = group.querySelector(".signup-count-info");
    var limit = Number(group.getAttribute("data-limit"));
    var shown = element("p", "signup-count");
    var spoken = element("p", "signup-visually-hidden");
    var timer = null;
    shown.setAttribute("aria-hidden", "true");
    spoken.setAttribute("aria-live", "polite");
    info.classList.add("signup-visually-hidden");
    group.appendChild(shown);
    group.appendChild(spoken);

    function words() {
      var left = limit - rules.length(input.value);
      var count = Math.abs(left);
      var noun = count === 1 ? " character" : " characters";
      return left >= 0 ? "You have " + count + noun + " remaining" : "You have " + count + noun + " too many";
    }

    function update() {
      shown.textContent = words();
      shown.classList.toggle("signup-count--over", rules.length(input.value) > limit);
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        spoken.textContent = words();
      }, 1000);
    }

    input.addEventListener("input", update);
    shown.textContent = words();
  }

  function Form(root, rules) {
    var form = root.querySelector("#signup-form");
    var summary = root.querySelector("#signup-errors");
    var summaryList = root.querySelector("#signup-errors-list");
    var checkStep = root.querySelector("#signup-check");
    var sendStep = root.querySelector("#signup-send");
    var data = rules.data;
    var title = document.title;

    function group(key) {
      return form.querySelector('.signup-group[data-key="' + key + '"]');
    }

    function inputs(key) {
      return Array.prototype.slice.call(form.querySelectorAll('[name="' + key + '"]'));
    }

    /** Each answer as the block holds it: text collapsed, ticked boxes as a list of ids in page order. */
    function answers() {
      var found = {};
      data.keys.forEach(function (key) {
        var fields = inputs(key);
        var ticked = fields.filter(function (field) {
          return (field.type === "radio" || field.type === "checkbox") && field.checked;
        }).map(function (field) { return field.value; });
        if (data.answers[key].list) {
          found[key] = ticked;
        } else if (fields.length && (fields[0].type === "radio" || fields[0].type === "checkbox")) {
          found[key] = ticked.length ? ticked[0] : "";
        } else {
          found[key] = fields.length ? rules.oneLine(fields[0].value) : "";
        }
      });
      return found;
    }

    /** Where a message points: the text box, or the group's fieldset and its first option. */
    function target(key) {
      var fields = inputs(key);
      var box = group(key);
      var fieldset = box.querySelector("fieldset");
      return { focus: fields[0], describe: fieldset || fields[0], anchor: box.querySelector("legend, label") };
    }

    function clearErrors() {
      Array.prototype.forEach.call(form.querySelectorAll(".signup-error"), function (node) {
        var key = node.getAttribute("data-key");
        removeDescribedBy(target(key).describe, node.id);
        node.parentNode.removeChild(node);
      });
      Array.prototype.forEach.call(form.querySelectorAll(".signup-group--error"), function (box) {
        box.classList.remove("signup-group--error");
      });
      Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (field) {
        field.removeAttribute("aria-invalid");
      });
      summaryList.textContent = "";
      summary.hidden = true;
      document.title = title;
    }

    function moveTo(key) {
      var where = target(key);
      showStep(null);
      where.anchor.scrollIntoView();
      where.focus.focus({ preventScroll: true });
    }

    function link(key, text, hidden) {
      var anchor = element("a", "", text);
      anchor.href = "#" + target(key).focus.id;
      if (hidden) {
        anchor.appendChild(element("span", "signup-visually-hidden", hidden));
      }
      anchor.addEventListener("click", function (event) {
        event.preventDefault();
        moveTo(key);
      });
      return anchor;
    }

    function showError(key, message) {
      var where = target(key);
      var box = group(key);
      var note = element("p", "signup-error");
      note.id = where.focus.id + "-error";
      note.setAttribute("data-key", key);
      note.appendChild(element("span", "signup-visually-hidden", "Error: "));
      note.appendChild(document.createTextNode(message));
      box.classList.add("signup-group--error");
      if (where.describe.tagName === "FIELDSET") {
        var legendOrHint = where.describe.querySelector(":scope > .signup-hint") || where.describe.querySelector("legend");
        legendOrHint.insertAdjacentElement("afterend", note);
      } else {
        where.focus.insertAdjacentElement("beforebegin", note);
        where.focus.setAttribute("aria-invalid", "true");
      }
      addDescribedBy(where.describe, note.id);
      var item = element("li");
      item.appendChild(link(key, data.labels[key] + ": " + message));
      summaryList.appendChild(item);
    }

    function validate() {
      var given = answers();
      clearErrors();
      var problems = data.keys.filter(function (key) {
        var message = rules.problem(key, given[key]);
        if (message) {
          showError(key, message);
        }
        return Boolean(message);
      });
      if (problems.length) {
        summary.hidden = false;
        document.title = "Error: " + title;
        summary.focus();
      }
      return problems.length === 0;
    }

    function showStep(step) {
      form.hidden = step !== null;
      checkStep.hidden = step !== checkStep;
      sendStep.hidden = step !== sendStep;
      if (step) {
        var heading = step.querySelector("h2");
        heading.scrollIntoView();
        heading.focus({ preventScroll: true });
      }
    }

    function shown(key, value) {
      var labels = data.choices[key];
      var list = Array.isArray(value) ? value : value ? [value] : [];
      return list.map(function (each) { return labels && labels[each] ? labels[each] : each; });
    }

    function checkAnswers() {
      var given = answers();
      var list = checkStep.querySelector("#signup-summary");
      list.textContent = "";
      data.keys.forEach(function (key) {
        var row = element("div", "signup-summary__row");
        var values = shown(key, given[key]);
        var value = element("dd", "signup-summary__value");
        if (!values.length) {
          value.textContent = "Not given";
        }
        values.forEach(function (each) {
          value.appendChild(element("p", "", each));
        });
        var actions = element("dd", "signup-summary__actions");
        actions.appendChild(link(key, "Change", " " + data.labels[key].toLowerCase()));
        row.appendChild(element("dt", "signup-summary__key", data.labels[key]));
        row.appendChild(value);
        row.appendChild(actions);
        list.appendChild(row);
      });
      showStep(checkStep);
    }

    function mailLink(text, name) {
      var address = encodeURIComponent(data.email).replace(/%40/g, "@");
      var subject = data.subject + (name ? ": " + name : "");
      return "mailto:" + address + "?subject=" + encodeURIComponent(subject) +
        "&body=" + encodeURIComponent(text.replace(/\n/g, "\r\n"));
    }

    function send() {
      var given = answers();
      var text = rules.block(given);
      sendStep.querySelector("#signup-text").value = text;
      sendStep.querySelector("#signup-copy-status").textContent = "";
      var mail = sendStep.querySelector("#signup-mail");
      if (mail && data.email) {
        mail.href = mailLink(text, given.name);
        sendStep.querySelector("#signup-too-long").hidden = mail.href.length <= data.mail_limit;
      }
      showStep(sendStep);
    }

    function copy() {
      var box = sendStep.querySelector("#signup-text");
      var status = sendStep.querySelector("#signup-copy-status");
      function done() {
        status.textContent = "Copied. Paste it into an email to the charter team.";
      }
      function fallback() {
        box.focus();
        box.select();
        var copied = false;
        try {
          copied = document.execCommand("copy");
        } catch (error) {
          copied = false;
        }
        status.textContent = copied ? "Copied. Paste it into an email to the charter team." :
          "Your browser did not let this page copy. The application is selected: copy it with your keyboard or menu.";
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(box.value).then(done, fallback);
      } else {
        fallback();
      }
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (validate()) {
        checkAnswers();
      }
    });
    checkStep.querySelector("#signup-confirm").addEventListener("click", send);
    sendStep.querySelector("#signup-copy").addEventListener("click", copy);
    sendStep.querySelector("#signup-back").addEventListener("click", function (event) {
      event.preventDefault();
      showStep(checkStep);
    });
    Array.prototype.forEach.call(form.querySelectorAll(".signup-counted"), function (box) {
      CharacterCount(box, rules);
    });
  }

  function init() {
    var root = document.getElementById("signup");
    var source = document.getElementById("signup-rules");
    if (!root || !source || !root.querySelector("#signup-form")) {
      return;
    }
    Form(root, Rules(JSON.parse(source.textContent)));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
