import { NoticeList, NoticesQuery } from "../../protocol/index.js";
import { database } from "../db/client.js";
import { listNotices } from "../db/notices.js";
import { apiRouter } from "../http/api-router.js";

// Notices the administrators posted to everyone (POST /api/admin/notices): pushed once as
// `notice` to who was online; read here by the rest, e.g. after sign-in.
export const noticeRoutes = apiRouter("/api/notices", "notices");

noticeRoutes.get(
  "/",
  {
    summary: "Notices to everyone, newest first; `since` (epoch ms) = only those posted after it",
    query: NoticesQuery,
    response: { status: 200, schema: NoticeList },
  },
  async (c, { query }) => c.json({ notices: await listNotices(database(c.env.DB), query.since, query.limit) }, 200),
);
