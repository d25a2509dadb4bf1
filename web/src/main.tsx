// The browser app's entry point.
import { render } from "preact";
import { App } from "./components/App.tsx";
import "./styles/app.css";

render(<App />, document.getElementById("app")!);
