// Expired access tokens, as a user would meet them: every call made with one waits for
// ONE refresh, then retries once; a refresh token that stopped working signs the device out.
import { describe, expect, inject, it } from "vitest";
import { EdgeImApi, LocalStorageTokenStore, type StringStorage } from "../../client/index.js";
import { signAccessToken } from "../../server-auth/access-token.js";
import { recordingFetch, registerUser, type TestUser } from "../e2e/support/api.js";

/** An access token for this user and device that expired an hour ago (signed as the Worker would). */
const expiredToken = (user: TestUser) =>
  signAccessToken(
    inject("authSecret"),
    { userId: user.user.id, deviceId: user.api.session()!.deviceId, sessionId: crypto.randomUUID() },
    60,
    Date.now() - 3_600_000,
  );

const refreshes = (requests: string[]) => requests.filter((r) => r === "POST /api/auth/refresh").length;

describe("token refresh", () => {
  it("concurrent calls with an expired token cause exactly one refresh, then all succeed", async () => {
    const amy = await registerUser("amy");
    const stored = amy.tokens.load()!;
    amy.tokens.save({ ...stored, accessToken: await expiredToken(amy) });

    const [me, friends, groups, conversations, self] = await Promise.all([
      amy.api.me.get(),
      amy.api.friends.list(),
      amy.api.groups.list(),
      amy.api.conversations.list(),
      amy.api.users.get(amy.user.id),
    ]);
    expect(me.id).toBe(amy.user.id);
    expect([friends, groups, conversations]).toEqual([[], [], []]);
    expect(self.username).toBe(amy.user.username);
    expect(refreshes(amy.requests)).toBe(1);
    // Five calls refused once each, five retries: eleven requests with the refresh.
    expect(amy.requests.length - 1 /* register */).toBe(11);
    expect(amy.tokens.load()!.refreshToken).not.toBe(stored.refreshToken);
  });

  it("a refresh token that stopped working signs the device out", async () => {
    const ava = await registerUser("ava", { deviceId: "tab" });
    const signedOut: Array<unknown> = [];
    ava.api.onSessionChange((session) => session === null && signedOut.push(session));
    // Logging in again on the same device id ends the earlier session (and its refresh token).
    await new EdgeImApi({ baseUrl: inject("workerUrl") }).auth.login({ username: ava.user.username, password: ava.password, deviceId: "tab" });
    ava.tokens.save({ ...ava.tokens.load()!, accessToken: await expiredToken(ava) });

    await expect(ava.api.me.get()).rejects.toMatchObject({ code: "unauthorized", status: 401 });
    expect(ava.api.isSignedIn()).toBe(false);
    expect(signedOut).toHaveLength(1);
  });

  it("a session ended from another device signs an HTTP-only client out at its next call", async () => {
    const ivy = await registerUser("ivy", { deviceId: "phone" });
    const laptop = new EdgeImApi({ baseUrl: inject("workerUrl"), deviceId: "laptop" });
    await laptop.auth.login({ username: ivy.user.username, password: ivy.password });
    const signedOut: Array<unknown> = [];
    ivy.api.onSessionChange((session) => session === null && signedOut.push(session));

    await laptop.me.endSession("phone");
    await expect(ivy.api.me.get()).rejects.toMatchObject({ code: "unauthorized", status: 401 });
    expect(ivy.api.isSignedIn()).toBe(false);
    expect(signedOut).toHaveLength(1);
    expect((await laptop.me.get()).id).toBe(ivy.user.id);
  });

  it("two tabs sharing one localStorage: a tab that loses the refresh race adopts the winner's tokens", async () => {
    const eve = await registerUser("eve");
    const items = new Map<string, string>();
    const storage: StringStorage = { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v), removeItem: (k) => void items.delete(k) };
    new LocalStorageTokenStore("edge-im-test", storage).save(eve.tokens.load()!);
    const requests: string[] = [];
    const tab = () => new EdgeImApi({ baseUrl: inject("workerUrl"), tokens: new LocalStorageTokenStore("edge-im-test", storage), fetch: recordingFetch(requests).fetch });
    const [first, second] = [tab(), tab()];

    // Both tabs send the same refresh token at once: one rotation wins; the other tab's
    // refresh is refused, and it takes the pair the winner stored instead of signing out.
    const [a, b] = await Promise.all([first.auth.refresh(), second.auth.refresh()]);
    expect(refreshes(requests)).toBe(2);
    expect([a.userId, b.userId]).toEqual([eve.user.id, eve.user.id]);
    expect(first.isSignedIn() && second.isSignedIn()).toBe(true);
    expect((await second.me.get()).id).toBe(eve.user.id);
    expect([...items.keys()]).toEqual(["edge-im-test.session"]);
  });

  it("the tab that lost the race is refused before the winner's answer is stored: it waits for that pair, not signing out", async () => {
    const finn = await registerUser("finn");
    const items = new Map<string, string>();
    const storage: StringStorage = { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v), removeItem: (k) => void items.delete(k) };
    new LocalStorageTokenStore("edge-im-race", storage).save(finn.tokens.load()!);
    const store = () => new LocalStorageTokenStore("edge-im-race", storage);
    // The winner's refresh reaches the server first, and its answer is handed over 300 ms
    // after it arrived; the loser's goes out once the server has answered the winner.
    let answered: () => void = () => {};
    const winnerAnswered = new Promise<void>((resolve) => (answered = resolve));
    const winner = new EdgeImApi({
      baseUrl: inject("workerUrl"),
      tokens: store(),
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        answered();
        await new Promise((resolve) => setTimeout(resolve, 300));
        return response;
      },
    });
    const loser = new EdgeImApi({ baseUrl: inject("workerUrl"), tokens: store(), fetch: async (input, init) => (await winnerAnswered, fetch(input, init)) });
    const [a, b] = await Promise.all([winner.auth.refresh(), loser.auth.refresh()]);
    expect([a.userId, b.userId]).toEqual([finn.user.id, finn.user.id]);
    expect(loser.isSignedIn()).toBe(true);
    expect((await loser.me.get()).id).toBe(finn.user.id);
  });
});
