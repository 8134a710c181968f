// The app's client, as `./lib/client` of Nevr's auth client examples (docs/API.md §1.3): the browser routes on this origin (the app's
// proxy forwards them to hallpass), refetched every `?refetch=` seconds (default 1) and on focus.
import { createBrowserClient } from "@hallpass/client/browser";

const refetch = Number(new URLSearchParams(location.search).get("refetch") ?? "1");

export const client = createBrowserClient({
  product: "demo",
  env: "dev",
  tag: "user-session",
  session: {
    refetchInterval: refetch,
    refetchOnWindowFocus: true,
  },
});

// For the test: the device list and revocation are called from the page.
window.hallpassClient = client;
