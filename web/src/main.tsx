// The web client's entry: theme, route, session, then the first render.
import "../styles.css";
import { render } from "preact";
import { App } from "./app/App.js";
import { applyTheme, loadTheme } from "./app/preferences.js";
import { startRouter } from "./app/router.js";
import { startSession } from "./state/session.js";

applyTheme(loadTheme());
startRouter();
render(<App />, document.getElementById("app")!);
void startSession();
