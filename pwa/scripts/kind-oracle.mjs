// Outside test/: node --test runs every file there, and this one waits for its input.
// The phone's kind rules for pytest: one JSON request per line in, one JSON answer per line out.
// {"build": spec} → the schema kind-builder.js writes; {"validate": [schema, data]} → its errors;
// {"reopen": schema} → the schema rebuilt from the builder's reading of it (editing a version).
import process from "node:process";
import { createInterface } from "node:readline";
import { buildSchema, specOf } from "../src/kind-builder.js";
import { validateData } from "../src/kind-validation.js";

for await (const line of createInterface({ input: process.stdin })) {
  const request = JSON.parse(line);
  const answer = request.build ? buildSchema(request.build)
    : request.reopen ? buildSchema(specOf(request.reopen))
    : validateData(...request.validate);
  process.stdout.write(JSON.stringify(answer) + "\n");
}
