// The HTTP baseline of scripts/load-drill: Hummingbird answering a fixed body, with the same
// server stack as `rdv serve` and nothing else. Requests per second and p99 of the platform's
// pages are reported as ratios to this, measured in the same run on the same machine.
import Hummingbird

let port = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 8090
let router = Router()
router.get("/") { _, _ in "Bonjour" }
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
