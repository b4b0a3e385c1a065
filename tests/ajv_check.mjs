// Compile a JSON Schema the way JavaScript tools do, then validate JSON documents against it.
//
//   node tests/ajv_check.mjs SCHEMA.json [DOCUMENT.json ...]
//
// AJV 8 runs with its default options (strict mode, patterns compiled with the
// `u` flag), plus the standard formats from ajv-formats, without which strict
// AJV refuses any schema that names a format. A strict-mode warning counts as a
// failure too. Every problem is printed in AJV's own words, one a line, after
// the file it concerns; the exit code is 1 if there was any, 0 otherwise.

import { readFileSync } from "node:fs";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const [schemaPath, ...documents] = process.argv.slice(2);
if (!schemaPath) {
  console.error("usage: node tests/ajv_check.mjs SCHEMA.json [DOCUMENT.json ...]");
  process.exit(2);
}

const problems = [];
console.warn = (...parts) => problems.push(`${schemaPath}: warning: ${parts.join(" ")}`);

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    problems.push(`${path}: ${error.message}`);
    return undefined;
  }
}

function compile(schema) {
  const ajv = new Ajv();
  addFormats(ajv);
  try {
    return ajv.compile(schema);
  } catch (error) {
    problems.push(`${schemaPath}: ${error.message}`);
    return undefined;
  }
}

const schema = readJson(schemaPath);
const validate = schema === undefined ? undefined : compile(schema);
if (validate) {
  for (const path of documents) {
    const document = readJson(path);
    if (document !== undefined && !validate(document)) {
      for (const error of validate.errors) {
        problems.push(`${path}: ${error.instancePath || "/"} ${error.message} (${error.schemaPath})`);
      }
    }
  }
}
for (const problem of problems) {
  console.error(problem);
}
process.exit(problems.length ? 1 : 0);
