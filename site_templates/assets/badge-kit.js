/*
 * Makes a signatory's badge PNGs and ZIP kit in the browser, from the badge
 * SVGs the site publishes. register.js loads this only when a visitor asks
 * for one of these files.
 *
 * Why here and not on the server: six PNGs and a ZIP holding a second copy of
 * everything cost over a megabyte per signatory, which put a national
 * register beyond what free static hosts accept. The SVG is the master; a
 * canvas draws it at each width (vectors, not a scaled bitmap).
 *
 * Each PNG carries the badge's Open Badges 2.0 assertion, as the baking
 * specification asks: an uncompressed iTXt chunk with the keyword
 * "openbadges", just before IEND, with its CRC-32 computed here. The text is
 * the assertion the SVG itself carries, so the two always agree.
 *
 * The ZIP is "stored" (PNGs are compressed already), with fixed dates and
 * permissions, the same names as the kit has always had, and a usage guide
 * filled in from the page. Every name comes from the page, which the build
 * writes from svcharter/kit.py.
 */
(function () {
  "use strict";

  var OPEN_BADGES = "http://openbadges.org";
  var CRC_TABLE = (function () {
    var table = new Uint32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) {
        c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      }
      table[n] = c >>> 0;
    }
    return table;
  })();

  /** CRC-32 (ISO 3309, as PNG and ZIP use it) of a list of byte arrays. */
  function crc32(parts) {
    var crc = 0xffffffff;
    parts.forEach(function (bytes) {
      for (var i = 0; i < bytes.length; i++) {
        crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
      }
    });
    return (crc ^ 0xffffffff) >>> 0;
  }

  function ascii(text) {
    var out = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) {
      out[i] = text.charCodeAt(i);
    }
    return out;
  }

  function concat(parts) {
    var length = parts.reduce(function (sum, part) { return sum + part.length; }, 0);
    var out = new Uint8Array(length);
    var at = 0;
    parts.forEach(function (part) {
      out.set(part, at);
      at += part.length;
    });
    return out;
  }

  function uint32(value) {
    return new Uint8Array([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
  }

  function pngChunk(type, data) {
    var kind = ascii(type);
    return concat([uint32(data.length), kind, data, uint32(crc32([kind, data]))]);
  }

  /** The PNG with its openbadges iTXt chunk before IEND (any earlier one dropped, so there is only ever one). */
  function bake(png, assertion) {
    var keyword = ascii("openbadges");
    var text = concat([keyword, new Uint8Array([0, 0, 0, 0, 0]), new TextEncoder().encode(assertion)]);
    var view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    var parts = [png.subarray(0, 8)];
    var at = 8;
    while (at < png.length) {
      var length = view.getUint32(at);
      var type = String.fromCharCode.apply(null, png.subarray(at + 4, at + 8));
      var whole = png.subarray(at, at + 12 + length);
      var data = png.subarray(at + 8, at + 8 + length);
      var old = type === "iTXt" && String.fromCharCode.apply(null, data.subarray(0, 11)) === "openbadges\u0000";
      if (type === "IEND") {
        parts.push(pngChunk("iTXt", text));
      }
      if (!old) {
        parts.push(whole);
      }
      at += 12 + length;
    }
    return concat(parts);
  }

  function fetchBytes(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) {
        throw new Error(url + ": HTTP " + response.status);
      }
      return response.arrayBuffer();
    }).then(function (buffer) { return new Uint8Array(buffer); });
  }

  /** The assertion the SVG carries, read as XML (never as HTML), so its text is exactly what was baked. */
  function assertionOf(svgBytes) {
    var doc = new DOMParser().parseFromString(new TextDecoder().decode(svgBytes), "image/svg+xml");
    var element = doc.getElementsByTagNameNS(OPEN_BADGES, "assertion")[0];
    if (!element) {
      throw new Error("the badge SVG carries no Open Badges assertion");
    }
    return element.textContent;
  }

  /**
   * The SVG (from its address on this site, which the page's policy allows for images) drawn by a canvas at a
   * width, as PNG bytes; the height rounds as the build's renderer rounds it.
   */
  function drawPng(url, width) {
    return new Promise(function (resolve, reject) {
      var image = new Image();
      image.onload = function () {
        var canvas = document.createElement("canvas");
        canvas.width = width;
        canvas.height = Math.round(image.naturalHeight * width / image.naturalWidth);
        canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) {
          if (!blob) {
            reject(new Error("the browser could not make a PNG"));
            return;
          }
          blob.arrayBuffer().then(function (buffer) { resolve(new Uint8Array(buffer)); }, reject);
        }, "image/png");
      };
      image.onerror = function () {
        reject(new Error("the browser could not draw the badge SVG"));
      };
      image.src = url;
    });
  }

  function makePng(folder, source, width) {
    return fetchBytes(folder + source).then(function (svg) {
      return drawPng(folder + source, width).then(function (png) { return bake(png, assertionOf(svg)); });
    });
  }

  function uint16le(value) {
    return new Uint8Array([value & 0xff, (value >>> 8) & 0xff]);
  }

  function uint32le(value) {
    return new Uint8Array([value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24]);
  }

  /** A stored ZIP of [name, bytes] pairs in the order given: 1980-01-01 00:00, rw-r--r--, made on Unix. */
  function zip(entries) {
    var DOS_TIME = 0;
    var DOS_DATE = (1 << 5) | 1;
    var local = [];
    var central = [];
    var offset = 0;
    entries.forEach(function (entry) {
      var name = new TextEncoder().encode(entry[0]);
      var data = entry[1];
      var crc = crc32([data]);
      var flags = /^[\x20-\x7e]*$/.test(entry[0]) ? 0 : 0x800;  // bit 11: the name is UTF-8
      var common = concat([uint16le(20), uint16le(flags), uint16le(0), uint16le(DOS_TIME), uint16le(DOS_DATE),
        uint32le(crc), uint32le(data.length), uint32le(data.length), uint16le(name.length), uint16le(0)]);
      var header = concat([uint32le(0x04034b50), common, name]);
      local.push(header, data);
      central.push(concat([uint32le(0x02014b50), uint16le(0x0314), common, uint16le(0), uint16le(0), uint16le(0),
        uint32le(0x81a40000), uint32le(offset), name]));
      offset += header.length + data.length;
    });
    var directory = concat(central);
    var end = concat([uint32le(0x06054b50), uint16le(0), uint16le(0), uint16le(entries.length),
      uint16le(entries.length), uint32le(directory.length), uint32le(offset), uint16le(0)]);
    return concat(local.concat([directory, end]));
  }

  /** The usage guide, its blanks filled in one pass (so a name holding "{year}" stays as it is). */
  function guide(template, kit) {
    var values = {name: kit.getAttribute("data-name"), year: kit.getAttribute("data-year"),
      url: kit.getAttribute("data-url")};
    return template.replace(/\{(name|year|url)\}/g, function (_all, key) { return values[key]; });
  }

  function makeZip(kit, folder) {
    var buttons = {};
    kit.querySelectorAll("button[data-make]").forEach(function (button) {
      buttons[button.getAttribute("data-make")] = button;
    });
    var members = kit.getAttribute("data-zip-members").split(" ");
    return Promise.all(members.map(function (name) {
      var button = buttons[name];
      if (name === "README.txt") {
        return fetch(kit.getAttribute("data-guide")).then(function (response) {
          if (!response.ok) {
            throw new Error("the usage guide: HTTP " + response.status);
          }
          return response.text();
        }).then(function (text) { return new TextEncoder().encode(guide(text, kit)); });
      }
      if (button) {
        return makePng(folder, button.getAttribute("data-source"), Number(button.getAttribute("data-width")));
      }
      return fetchBytes(folder + name);
    })).then(function (contents) {
      return zip(members.map(function (name, i) { return [name, contents[i]]; }));
    });
  }

  function save(name, bytes, type) {
    var url = URL.createObjectURL(new Blob([bytes], {type: type}));
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function make(kit, button, status) {
    var name = button.getAttribute("data-make");
    var folder = "badge/";
    var isZip = button.getAttribute("data-source") === "zip";
    var work = isZip ? makeZip(kit, folder)
      : makePng(folder, button.getAttribute("data-source"), Number(button.getAttribute("data-width")));
    button.disabled = true;
    work.then(function (bytes) {
      save(name, bytes, isZip ? "application/zip" : "image/png");
      status.textContent = name + " is ready: your browser has saved it.";
    }, function (error) {
      status.textContent = "Sorry: " + name + " could not be made (" + error.message + "). The SVG and PDF files above still work.";
    }).then(function () {
      button.disabled = false;
    });
  }

  window.svcharterBadgeKit = {make: make, bake: bake, crc32: crc32, zip: zip};
})();
