// A frontend's first calls, typed by the client generated from a stack's OpenAPI document
// (the README's openapi-typescript command writes ./api.d.ts; openapi-fetch calls it).
// test_clients.py compiles this one file with `tsc --strict` against each stack's generated
// types and runs it against each stack: one frontend, every backend.
import createClient from "openapi-fetch";
import type { paths } from "./api.js";

export async function firstItems(baseUrl: string, email: string, password: string) {
  const api = createClient<paths>({ baseUrl });

  const registered = await api.POST("/api/auth/register", { body: { email, password } });
  if (!registered.data) throw new Error(`register: ${JSON.stringify(registered.error)}`);
  const tokens = await api.POST("/api/auth/token", { body: { email, password } });
  if (!tokens.data) throw new Error(`token: ${JSON.stringify(tokens.error)}`);
  const headers = { Authorization: `Bearer ${tokens.data.access}` };

  for (const title of ["write the landing page", "call the API"]) {
    const created = await api.POST("/api/items", { body: { title }, headers });
    if (!created.data) throw new Error(`create: ${JSON.stringify(created.error)}`);
  }
  const page = await api.GET("/api/items", {
    params: { query: { ordering: "title", page_size: 10 } },
    headers,
  });
  if (!page.data) throw new Error(`list: ${JSON.stringify(page.error)}`);
  return { count: page.data.count, titles: page.data.results.map((item) => item.title) };
}
