import { UserLookupQuery, UserResponse } from "../../protocol/index.js";
import { database } from "../db/client.js";
import { findUserById, findUserByUsername, toPublicUser } from "../db/users.js";
import { notFound } from "../http/api-error.js";
import { apiRouter } from "../http/api-router.js";
import { idParam } from "../http/validate.js";

export const userRoutes = apiRouter("/api/users", "users");

userRoutes.get(
  "/",
  {
    summary: "Look a user up by username (case-insensitive)",
    query: UserLookupQuery,
    response: { status: 200, schema: UserResponse },
    errors: ["not_found"],
  },
  async (c, { query }) => {
    const user = await findUserByUsername(database(c.env.DB), query.username);
    if (!user) throw notFound("user");
    return c.json({ user: toPublicUser(user) }, 200);
  },
);

userRoutes.get(
  "/:id",
  { summary: "A user's public profile", response: { status: 200, schema: UserResponse }, errors: ["not_found"] },
  async (c) => {
    const user = await findUserById(database(c.env.DB), idParam(c, "id", "user"));
    if (!user) throw notFound("user");
    return c.json({ user: toPublicUser(user) }, 200);
  },
);
