// Compile a JSON Schema the way JavaScript tools do, then validate JSON documents against it.
//
//   node tests/ajv_check.mjs SCHEMA.json [DOCUMENT.json ...]
//
// AJV 8, in its class for the schema's draft, runs with its default options
// (strict mode, patterns compiled with the `u` flag), plus the standard formats
// from ajv-formats, without which strict AJV refuses any schema that names a
// format. A strict-mode warning counts as a failure too. Every problem is printed in AJV's own words, one a line, after
// the file it concerns; the exit code is 1 if there was any, 0 otherwise.

import { readFileSync } from "node:fs";
import Ajv from "ajv";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

// AJV's class for each draft a schema may name in "$schema", as a JavaScript user would choose it.
const DRAFTS = {
  "http://json-schema.org/draft-07/schema#": Ajv,
  "https://json-schema.org/draft/2020-12/schema": Ajv2020,
};

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
  const Draft = DRAFTS[schema.$schema];
  if (!Draft) {
    problems.push(`${schemaPath}: no AJV class for "$schema": ${JSON.stringify(schema.$schema)}`);
    return undefined;
  }
  const ajv = new Draft();
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
