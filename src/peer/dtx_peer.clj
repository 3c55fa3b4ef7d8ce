;; dtx_peer.clj: the only Clojure in dtx. Runs against the real Datomic peer library.
;;
;; Usage (bin/run = clojure.main with the peer on the classpath; pass an absolute path):
;;   bin/run /abs/dtx_peer.clj create <datomic-uri>
;;   bin/run /abs/dtx_peer.clj delete <datomic-uri>
;;   bin/run /abs/dtx_peer.clj rename <datomic-uri> <new-name>
;;   bin/run /abs/dtx_peer.clj list   <datomic-uri whose db name is *>
;;   bin/run /abs/dtx_peer.clj check  <datomic-uri> [<scratch-db-name>]
;;
;; <datomic-uri> may be given as `env:NAME`: the URI is then read from environment variable NAME.
;; dtx always does that, so the storage password never appears on a command line (`ps` shows
;; every process's arguments to every user; a process's environment is private to its owner).
;;
;; Contract: the LAST stdout line is exactly one JSON object:
;;   {"ok":true,"op":"create","created":true|false}
;;   {"ok":true,"op":"delete","deleted":true|false}
;;   {"ok":true,"op":"rename","renamed":true|false}
;;   {"ok":true,"op":"list","names":["a","b"]}            (names sorted; [] when no catalog)
;;   {"ok":true,"op":"gc-storage","collected":true}        (arg: older-than in ms)
;;   {"ok":true,"op":"check","basisT":66,"idents":63,"timings":{"connectMs":..,"syncMs":..,"queryMs":..},
;;    "write":{"t":1003,"scratch":{"name":"..","created":true,"deleted":true}}}
;;     check: connect, d/sync (the transactor's latest basis-t), one query. With a scratch name it
;;     also creates that database (refused when the name exists: a user's database is never
;;     touched), transacts an attribute and an entity, reads it back, retracts it, and deletes the
;;     scratch database whatever happened (a JVM shutdown hook covers SIGTERM midway).
;;   {"ok":false,"op":"<op>","error":{"code":"<code>","message":"<message>"}}   exit code 1
;; code = the :db/error keyword of the exception (or of a cause), printed with its colon, e.g.
;; ":db.error/read-transactor-location-failed"; ":dtx/usage" for bad arguments; otherwise
;; ":dtx/peer-error". Extra error fields (added only when known): "category" (the
;; cognitect anomaly category, e.g. "unavailable"), "endpoint" {"host","port"} (the transactor
;; address from the heartbeat the peer could not reach); for check: "step" (where it failed),
;; "timings" (the steps done), "scratch" {"name","created","deleted"}. Passwords are never printed.
;;
;; Load-only mode (used by the tests to compile this file against the real datomic.api without
;; running an op): set the environment variable DTX_PEER_LOAD_ONLY=1, then
;;   java -cp <cp> clojure.main -e '(load-file "/abs/dtx_peer.clj")' -e '(dtx.peer/...)'
;; Loading compiles every form, so a wrong datomic.api name fails to load.
;;
;; No JSON library is used: the peer's dependencies bring none (no cheshire, no jackson).
(ns dtx.peer
  (:require [clojure.string :as str]
            [datomic.api :as d]))

;; ---------------------------------------------------------------- JSON (by hand)

(defn- json-str [^String s]
  (let [sb (StringBuilder. (+ 2 (count s)))]
    (.append sb \")
    (doseq [ch s]
      (let [c (int ch)]
        (case ch
          \" (.append sb "\\\"")
          \\ (.append sb "\\\\")
          \newline (.append sb "\\n")
          \return (.append sb "\\r")
          \tab (.append sb "\\t")
          \backspace (.append sb "\\b")
          \formfeed (.append sb "\\f")
          ;; control chars and all non-ASCII as \uXXXX: valid JSON whatever stdout's encoding
          (if (or (< c 0x20) (> c 0x7e))
            (.append sb (format "\\u%04x" c))
            (.append sb ch)))))
    (.append sb \")
    (.toString sb)))

(defn json
  "Prints nil, booleans, numbers, strings, keywords (as \":ns/name\"), maps and sequentials as JSON."
  [x]
  (cond
    (nil? x) "null"
    (true? x) "true"
    (false? x) "false"
    (integer? x) (str x)
    (number? x) (str (double x))
    (string? x) (json-str x)
    (keyword? x) (json-str (str x))
    (map? x) (str "{" (str/join "," (map (fn [[k v]] (str (json-str (if (keyword? k) (name k) (str k))) ":" (json v))) x)) "}")
    (sequential? x) (str "[" (str/join "," (map json x)) "]")
    (set? x) (json (vec x))
    :else (json-str (str x))))

;; ---------------------------------------------------------------- secrets

(defn- uri-passwords
  "Literal password values found in a datomic/jdbc URI (password=..., //user:pass@)."
  [^String uri]
  (when uri
    (->> (concat (map second (re-seq #"(?i)password=([^&\s\"']+)" uri))
                 (map second (re-seq #"//[^:/@\s?]+:([^@/\s]+)@" uri)))
         (remove str/blank?)
         distinct
         (mapcat (fn [p] [p (try (java.net.URLDecoder/decode ^String p "UTF-8") (catch Exception _ p))]))
         distinct
         (sort-by count >))))

(defn mask
  "Masks password=..., //user:pass@ and every literal password of `uri` in s."
  [^String s ^String uri]
  (when s
    (let [s (-> s
                (str/replace #"(?i)(password=)[^&\s\"']+" "$1***")
                (str/replace #"(//[^:/@\s?]+:)[^@/\s]+@" "$1***@"))]
      (reduce (fn [^String acc ^String p] (if (>= (count p) 3) (str/replace acc p "***") acc))
              s (uri-passwords uri)))))

;; ---------------------------------------------------------------- errors

(defn- cause-chain [^Throwable t]
  (take-while some? (iterate (fn [^Throwable x] (.getCause x)) t)))

(defn- wrapper? [^Throwable t]
  (and (or (instance? java.util.concurrent.ExecutionException t)
           (instance? java.util.concurrent.CompletionException t))
       (some? (.getCause t))))

(defn error-info
  "{:code :message ...} for a Throwable. Unwraps ExecutionException/CompletionException."
  [^Throwable t uri]
  (let [chain (cause-chain t)
        main (or (first (remove wrapper? chain)) t)
        datas (keep ex-data chain)
        code (some :db/error datas)
        category (some :cognitect.anomalies/category datas)
        endpoint (some #(when (and (:host %) (:port %) (contains? % :peer-version)) %) datas)
        step (some :dtx/step datas)
        timings (some :dtx/timings datas)
        scratch (some :dtx/scratch datas)
        msg (or (.getMessage ^Throwable main) (.getName (class main)))]
    (cond-> {:code (if (keyword? code) (str code) ":dtx/peer-error")
             :message (mask msg uri)}
      (keyword? category) (assoc :category (name category))
      endpoint (assoc :endpoint {:host (mask (str (:host endpoint)) uri) :port (:port endpoint)})
      step (assoc :step step)
      timings (assoc :timings timings)
      scratch (assoc :scratch scratch))))

(defn- usage! [msg] (throw (ex-info msg {:dtx/usage true})))

;; ---------------------------------------------------------------- check

(defn- elapsed-ms
  "Milliseconds since t0 (System/nanoTime), to 0.1 ms."
  [t0]
  (/ (Math/round (/ (double (- (System/nanoTime) (long t0))) 1e5)) 10.0))

(defn- timed
  "Runs f and records how long it took under k in the timings atom; returns f's value."
  [timings k f]
  (let [t0 (System/nanoTime)
        v (f)]
    (swap! timings assoc k (elapsed-ms t0))
    v))

(defn with-db-name
  "uri with its database name replaced: the segment after the last / before the first ?
  (datomic:sql://NAME?jdbc:..., datomic:dev://host:port/NAME?..., datomic:mem://NAME)."
  [^String uri ^String db-name]
  (let [q (.indexOf uri "?")
        head (if (neg? q) uri (subs uri 0 q))
        tail (if (neg? q) "" (subs uri q))]
    (str (subs head 0 (inc (.lastIndexOf head "/"))) db-name tail)))

(def probe-schema
  [{:db/ident :dtx.check/probe
    :db/valueType :db.type/string
    :db/cardinality :db.cardinality/one
    :db/doc "dtx db check --write: a probe in a scratch database that is deleted right after"}])

(def sync-timeout-ms 60000)

(defn probe-transact
  "@(d/transact conn tx); a separate var so a test can make one step fail."
  [conn tx]
  @(d/transact conn tx))

(defn- probe!
  "Transacts the probe attribute and an entity in the scratch database, reads it back, retracts
  it and checks it is gone. Returns {:t basis-t-after}."
  [suri timings step]
  (reset! step "connect-scratch")
  (let [conn (d/connect suri)
        token (str (java.util.UUID/randomUUID))
        _ (reset! step "schema")
        _ (timed timings :schemaMs #(probe-transact conn probe-schema))
        _ (reset! step "transact")
        r (timed timings :transactMs #(probe-transact conn [{:db/id "probe" :dtx.check/probe token}]))
        e (get (:tempids r) "probe")
        _ (reset! step "read-back")
        _ (when-not (= token (:dtx.check/probe (d/pull (:db-after r) [:dtx.check/probe] e)))
            (throw (ex-info "the probe datom was not read back after its transaction" {})))
        _ (reset! step "retract")
        r2 (timed timings :retractMs #(probe-transact conn [[:db/retractEntity e]]))
        _ (when (some? (d/pull (:db-after r2) [:dtx.check/probe] e))
            (throw (ex-info "the probe datom is still there after its retraction" {})))]
    {:t (d/basis-t (:db-after r2))}))

(defn- write-probe
  "The write half of check, in a scratch database named `scratch`. Refuses a name that exists
  (d/create-database returns false: nothing is touched). Deletes the scratch database afterwards
  whatever happened; a shutdown hook deletes it if the JVM is stopped (SIGTERM) midway."
  [uri scratch timings step]
  (let [suri (with-db-name uri scratch)]
    (reset! step "create-scratch")
    (when-not (timed timings :createMs #(d/create-database suri))
      (throw (ex-info (str "the scratch database name " scratch " is already taken; nothing was changed")
                      {:dtx/scratch {:name scratch :created false :deleted false}})))
    (let [done (atom false)
          delete! (fn [] (when (compare-and-set! done false true) (boolean (d/delete-database suri))))
          hook (Thread. ^Runnable (fn [] (try (delete!) (catch Throwable _ nil))))
          _ (.addShutdownHook (Runtime/getRuntime) hook)
          outcome (try {:value (probe! suri timings step)} (catch Throwable t {:error t}))
          deletion (try {:deleted (timed timings :deleteMs delete!)} (catch Throwable t {:deleted false :error t}))
          info {:name scratch :created true :deleted (true? (:deleted deletion))}]
      (try (.removeShutdownHook (Runtime/getRuntime) hook) (catch IllegalStateException _ nil))
      (cond
        (:error outcome)
        (let [^Throwable t (:error outcome)]
          (throw (ex-info (or (.getMessage t) (.getName (class t))) {:dtx/scratch info} t)))
        (:error deletion)
        (let [^Throwable t (:error deletion)]
          (reset! step "delete-scratch")
          (throw (ex-info (str "could not delete the scratch database " scratch ": " (.getMessage t)) {:dtx/scratch info} t)))
        :else (assoc (:value outcome) :scratch info)))))

(defn check
  "The connectivity check: d/connect, d/sync (the transactor's latest basis-t), one query, each
  timed; with a scratch name also the write probe. On failure the error carries the step and the
  timings so far."
  [uri scratch]
  (let [timings (atom {})
        step (atom "connect")]
    (try
      (let [conn (timed timings :connectMs #(d/connect uri))
            _ (reset! step "sync")
            db (timed timings :syncMs #(let [v (deref (d/sync conn) sync-timeout-ms ::timeout)]
                                         (if (= v ::timeout)
                                           (throw (ex-info (str "d/sync got no answer from the transactor in " (quot sync-timeout-ms 1000) " s") {}))
                                           v)))
            _ (reset! step "query")
            idents (timed timings :queryMs #(d/q '[:find (count ?e) . :where [?e :db/ident]] db))
            write (when-not (str/blank? scratch) (write-probe uri scratch timings step))]
        (cond-> {:basisT (d/basis-t db) :idents idents :timings @timings}
          write (assoc :write write)))
      (catch Throwable t
        (throw (ex-info (or (.getMessage t) (.getName (class t))) {:dtx/step @step :dtx/timings @timings} t))))))

;; ---------------------------------------------------------------- ops

(defn run-op
  "Runs one op; returns the success map (without :ok/:op) or throws."
  [op uri arg]
  (when (str/blank? uri) (usage! "missing datomic URI"))
  (case op
    "create" {:created (boolean (d/create-database uri))}
    "delete" {:deleted (boolean (d/delete-database uri))}
    "rename" (do (when (str/blank? arg) (usage! "rename needs <datomic-uri> <new-name>"))
                 {:renamed (boolean (d/rename-database uri arg))})
    "list" {:names (vec (sort (d/get-database-names uri)))}
    ;; Datomic's own storage gc (d/gc-storage) through the live transactor's connection; arg is
    ;; the older-than age in milliseconds
    "gc-storage" (let [ms (try (Long/parseLong (str arg)) (catch Exception _ (usage! "gc-storage needs <datomic-uri> <older-than-ms>")))]
                   (d/gc-storage (d/connect uri) (java.util.Date. (- (System/currentTimeMillis) ms)))
                   {:collected true})
    "check" (check uri arg)
    (usage! (str "unknown op " op "; expected create|delete|rename|list|gc-storage|check"))))

(defn result
  "[exit-code json-map] for op/uri/arg."
  [op uri arg]
  (try
    [0 (merge {:ok true :op op} (run-op op uri arg))]
    (catch Throwable t
      [1 {:ok false
          :op op
          :error (if (:dtx/usage (ex-data t))
                   {:code ":dtx/usage" :message (mask (.getMessage t) uri)}
                   (error-info t uri))}])))

(defn- resolve-uri
  "`env:NAME` -> the value of environment variable NAME; anything else as is."
  [^String uri]
  (if (and uri (str/starts-with? uri "env:"))
    (System/getenv (subs uri 4))
    uri))

(defn main [args]
  (let [[op uri-arg arg] args
        uri (resolve-uri uri-arg)
        [code m] (result op uri arg)]
    (println (json m))
    (flush)
    ;; release peer resources, bounded: the JVM must exit promptly even if storage hangs
    (deref (future (try (d/shutdown false) (catch Throwable _ nil))) 2000 nil)
    (shutdown-agents)
    (System/exit code)))

(when-not (= "1" (System/getenv "DTX_PEER_LOAD_ONLY"))
  (main *command-line-args*))
