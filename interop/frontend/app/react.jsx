// Seed 004's React examples, copied with only the import of the client changed (`./client.js`,
// which is `createBrowserClient` of @hallpass/client/browser): `UserStatus` with
// `useStore(client.$session)`, and the `AuthProvider` pattern with `useAuth()`.
import { createContext, useContext } from "react"
import { createRoot } from "react-dom/client"
import { useStore } from "@nanostores/react"
import { client } from "./client.js"

function UserStatus() {
  const session = useStore(client.$session)
  
  if (session.isPending) {
    return <div>Loading...</div>
  }
  
  if (!session.data) {
    return <div>Not logged in</div>
  }
  
  return <div>Welcome, {session.data.user.name}!</div>
}

const AuthContext = createContext({
  user: null,
  isLoading: true,
  signOut: async () => {},
})

export function AuthProvider({ children }) {
  const session = useStore(client.$session)
  
  const signOut = async () => {
    await client.auth.signOut()
  }
  
  return (
    <AuthContext.Provider value={{
      user: session.data?.user ?? null,
      isLoading: session.isPending,
      signOut,
    }}>
      {children}
    </AuthContext.Provider>
  )
}

export function useAuth() {
  return useContext(AuthContext)
}

// The documented Dashboard without its app-specific Spinner and Redirect.
function Dashboard() {
  const { user, isLoading, signOut } = useAuth()
  
  if (isLoading) return <p>Loading...</p>
  if (!user) return <p>Please sign in</p>
  
  return (
    <div>
      <h1>Welcome, {user.name}</h1>
      <button onClick={signOut}>Sign Out</button>
    </div>
  )
}

createRoot(document.getElementById("app")).render(
  <AuthProvider>
    <UserStatus />
    <Dashboard />
  </AuthProvider>
)
