import { eq } from "drizzle-orm";
import { MeResponse, UpdateMeBody } from "../../protocol/index.js";
import { database } from "../db/client.js";
import { users } from "../db/schema.js";
import { findUserById, toMe } from "../db/users.js";
import { notFound } from "../http/api-error.js";
import { apiRouter } from "../http/api-router.js";

export const meRoutes = apiRouter("/api/me", "users");

meRoutes.get("/", { summary: "My profile", response: { status: 200, schema: MeResponse } }, async (c) => {
  const user = await findUserById(database(c.env.DB), c.var.auth.userId);
  if (!user) throw notFound("user");
  return c.json({ user: toMe(user) }, 200);
});

meRoutes.patch(
  "/",
  { summary: "Update my display name, avatar or bio", body: UpdateMeBody, response: { status: 200, schema: MeResponse } },
  async (c, { body }) => {
    const db = database(c.env.DB);
    const [user] = await db
      .update(users)
      .set({ ...body, updatedAt: Date.now() })
      .where(eq(users.id, c.var.auth.userId))
      .returning();
    if (!user) throw notFound("user");
    return c.json({ user: toMe(user) }, 200);
  },
);
