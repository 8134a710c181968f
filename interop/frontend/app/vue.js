// The Vue equivalent of the React examples (react.jsx): `useSession()` and `useSignOut()` of @hallpass/vue,
// with the client given to the app by `createHallpassBrowser`.
import { createApp, defineComponent, h } from "vue";
import { createHallpassBrowser, useSession, useSignOut } from "@hallpass/vue";
import { client } from "./client.js";

const UserStatus = defineComponent({
  setup() {
    const session = useSession();
    return () => {
      if (session.isPending.value) return h("div", "Loading...");
      if (!session.data.value) return h("div", "Not logged in");
      return h("div", `Welcome, ${session.data.value.user.name}!`);
    };
  },
});

const Dashboard = defineComponent({
  setup() {
    const session = useSession();
    const signOut = useSignOut();
    return () => {
      if (session.isPending.value) return h("p", "Loading...");
      const user = session.data.value?.user;
      if (!user) return h("p", "Please sign in");
      return h("div", [h("h1", `Welcome, ${user.name}`), h("button", { onClick: () => signOut.mutate() }, "Sign Out")]);
    };
  },
});

createApp({ render: () => [h(UserStatus), h(Dashboard)] })
  .use(createHallpassBrowser(client))
  .mount("#app");
