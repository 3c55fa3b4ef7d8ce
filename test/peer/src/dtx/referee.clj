;; The real Datomic peer library as the referee of what dtx does to storage, without a transactor.
;; Each op reads or changes storage with Datomic's own code only:
;;   {:op :summary :db-id ID}          load the db with datomic.db-io/load-db-from-basis and read all of
;;                                     it: datom counts per index, history, a fulltext query
;;   {:op :backup-keys :name N :dir D} datomic.backup/backup of database N; the value keys it copied
;;   {:op :gc-deleted-dbs}             datomic.garbage/gc-deleted-dbs on the system URI
;;   {:op :gc-storage :name N :older-than-ms MS}  datomic.garbage/gc (what d/gc-storage runs)
;;   {:op :names}                      datomic.catalog database names (as d/get-database-names)
;; A failure (e.g. a segment gone missing) is reported per op as {:ok false :error "..."}.
;;
;; Usage: java -cp <peer classpath>:test/peer/src clojure.main -m dtx.referee '<base uri>' '<ops edn>'
;; where base uri is datomic:sql://?jdbc:postgresql://... ; prints one JSON line per op.
(ns dtx.referee
  (:require [datomic.api :as d]
            [datomic.uri :as uri]
            [datomic.coordination :as coord]
            [datomic.catalog :as catalog]
            [datomic.backup :as backup]
            [datomic.domain :as domain]
            [datomic.db-io :as dbio]
            [datomic.garbage :as garbage]
            [datomic.fsbackup :as fsbackup]
            [clojure.edn :as edn]
            [clojure.string :as str]))

(defn- camel [k]
  (let [[h & t] (str/split (name k) #"-")] (apply str h (map str/capitalize t))))

(defn json
  "JSON: maps (keyword keys in camelCase), sequences, strings, numbers, booleans, nil."
  [v]
  (cond
    (nil? v) "null"
    (boolean? v) (str v)
    (number? v) (str v)
    (keyword? v) (json (name v))
    (string? v) (str "\"" (str/escape v {\" "\\\"" \\ "\\\\" \newline "\\n" \return "\\r" \tab "\\t"}) "\"")
    (map? v) (str "{" (str/join "," (for [[k x] v] (str (json (if (keyword? k) (camel k) (str k))) ":" (json x)))) "}")
    (coll? v) (str "[" (str/join "," (map json v)) "]")
    :else (json (str v))))

(defn with-name [base-uri name]
  (str/replace base-uri "datomic:sql://?" (str "datomic:sql://" name "?")))

(defn system-cluster [base-uri]
  (coord/create-system-cluster (uri/parse-db (with-name base-uri "x"))))

(defn db-cluster
  "A cluster for a db-id, whether or not the catalog still names it."
  [base-uri db-id]
  (backup/create-cluster (assoc (uri/parse-db (with-name base-uri "x")) :db-id db-id) 4))

(defn summary-of
  "A full read with Datomic's own loader: it fails if any segment the db needs is missing."
  [cl ol db-id]
  (let [dbv (dbio/load-db-from-basis cl ol db-id)
        hist (d/history dbv)]
    {:basis-t (d/basis-t dbv)
     :eavt (count (seq (d/datoms dbv :eavt)))
     :aevt (count (seq (d/datoms dbv :aevt)))
     :avet (count (seq (d/datoms dbv :avet)))
     :vaet (count (seq (d/datoms dbv :vaet)))
     :history (count (seq (d/datoms hist :eavt)))
     :fulltext (count (d/q '[:find ?e :where [(fulltext $ :doc/body "datomic") [[?e]]]] dbv))}))

(defn backup-keys
  "Backs up database `name` with datomic.backup/backup; returns the value keys it stored."
  [base-uri name dir]
  (let [ks (atom [])]
    (binding [fsbackup/*on-store* #(swap! ks conj %)]
      (let [f (backup/backup (with-name base-uri name) (str "file:" dir) false (fn [& _]) false)]
        (when-not (= :succeeded (deref f 600000 :timeout))
          (throw (ex-info "backup failed" {:name name})))))
    (->> @ks (keep #(second (re-matches #"values/[0-9a-f]{2}/(.+)" %))) sort vec)))

(defn run-op [base-uri {:keys [op db-id name dir older-than-ms] :as o}]
  (try
    (merge
     {:ok true :op op}
     (case op
       :summary (let [cl (db-cluster base-uri db-id)]
                  {:db-id db-id :summary (summary-of cl (domain/system-cache-olookup cl) db-id)})
       :backup-keys {:name name :keys (backup-keys base-uri name dir)}
       :gc-deleted-dbs (let [out (with-out-str (garbage/gc-deleted-dbs {:uri (with-name base-uri "x")}))]
                         {:output out})
       :gc-storage (let [cl (db-cluster base-uri (:db-id (coord/resolve-db-name (uri/parse-db (with-name base-uri name)))))]
                     {:count (garbage/gc cl (java.util.Date. (- (System/currentTimeMillis) (or older-than-ms 0))))})
       :names {:names (vec (sort (catalog/get-database-names (system-cluster base-uri))))}))
    (catch Throwable t
      {:ok false :op op :db-id db-id :name name :error (str (.getName (class t)) ": " (.getMessage t))})))

(defn -main [base-uri ops]
  (doseq [o (edn/read-string ops)]
    (println (json (assoc (run-op base-uri o) :label (:label o)))))
  (shutdown-agents)
  (System/exit 0))
