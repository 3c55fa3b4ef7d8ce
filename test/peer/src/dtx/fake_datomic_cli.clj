;; What the fake distribution's bin/datomic runs: the same functions of the real peer library that a
;; real Datomic Pro bin/datomic calls, so tests exercise real Datomic code (not an imitation).
;;   gc-deleted-dbs <system-uri>                 datomic.garbage/gc-deleted-dbs
;;   backup-db <db-uri> <backup-uri>             datomic.backup/backup
;;   restore-db <backup-uri> <db-uri> [t]        datomic.backup/restore (t: the latest when not given)
;;   list-backups <backup-uri>                   datomic.backup/describe-backups
;;
;; Output, as a real bin/datomic prints it (public transcripts of 0.9.5561 to 1.0.7277, e.g.
;; github.com/filipesilva/datomic-pro-manager README):
;;   Copied 0 segments, skipped 0 segments.      first, before anything is copied
;;   Copied 32 segments, skipped 0 segments.     progress (INFERRED: how often; here every second) and the total
;;   :succeeded
;;   {:event :restore, :db app, :basis-t 66, :inst #inst "1970-01-01T00:00:00.000-00:00"}   restore only
;; list-backups prints the t values as a list, newest first: (6002 1001) (INFERRED from one public
;; transcript). A failure prints `<exception class>: <message>` and exits 1 (INFERRED).
(ns dtx.fake-datomic-cli
  (:require [datomic.api :as d]
            [datomic.garbage :as garbage]
            [datomic.backup :as backup]
            [datomic.uri :as uri]
            [datomic.coordination :as coord]
            [datomic.domain :as domain]
            [datomic.db-io :as dbio]))

(defn- progress-printer
  "A progress function for datomic.backup (called with :copied / :skipped as segments go) and a
   function that prints the current counts."
  []
  (let [counts (atom {:copied 0 :skipped 0})
        print! (fn [] (let [{:keys [copied skipped]} @counts]
                        (println (str "Copied " copied " segments, skipped " skipped " segments."))
                        (flush)))]
    {:progress (fn [& args]
                 (let [k (first args)]
                   (when (#{:copied :skipped} k) (swap! counts update k inc))))
     :print! print!}))

(defn- with-progress
  "Runs (start progress-fn) -> future, printing the counts at once, every second, and at the end."
  [start]
  (let [{:keys [progress print!]} (progress-printer)
        _ (print!)
        f (start progress)
        ticker (future (loop [] (Thread/sleep 1000) (when-not (realized? f) (print!) (recur))))
        r (deref f)]
    (future-cancel ticker)
    (print!)
    (prn r)
    (flush)
    (when-not (= :succeeded r) (throw (ex-info (str "did not succeed: " (pr-str r)) {:result r})))
    r))

(defn- restored-event [db-uri t]
  (let [conf (coord/resolve-db-name (uri/parse-db db-uri))
        cl (backup/create-cluster conf 4)
        db (dbio/load-db-from-basis cl (domain/system-cache-olookup cl) (:db-id conf))
        inst (d/q '[:find ?i . :in $ ?tx :where [?tx :db/txInstant ?i]] db (d/t->tx t))]
    {:event :restore :db (:db-name conf (:name conf)) :basis-t (d/basis-t db) :inst inst}))

(defn- parse-t [s]
  (try (Long/parseLong s)
       (catch NumberFormatException _
         (throw (IllegalArgumentException. (str ":restore/invalid-t Not a t: " s))))))

(defn -main [cmd & args]
  (let [code (try
               (case cmd
                 "gc-deleted-dbs" (do (garbage/gc-deleted-dbs {:uri (first args)}) 0)
                 "backup-db" (let [[from to] args]
                               (with-progress #(backup/backup from to false % false))
                               0)
                 "restore-db" (let [[from to t] args
                                    t (if t (parse-t t) (backup/require-latest-t from))]
                                (with-progress #(backup/restore from to % t false))
                                (println (restored-event to t))
                                0)
                 "list-backups" (do (prn (seq (sort > (:ts (backup/describe-backups (first args))))))
                                    0))
               (catch Throwable t
                 (println (str (.getName (class t)) ": " (.getMessage t)))
                 1))]
    (flush)
    (shutdown-agents)
    (System/exit code)))
