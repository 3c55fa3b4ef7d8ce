;; Builds real Datomic storage in PostgreSQL WITHOUT a transactor, using only the storage, log,
;; index, garbage, catalog and backup code of the real peer library (com.datomic/peer from Maven
;; Central). Every row it leaves in datomic_kvs was written by Datomic's own functions:
;;   - catalog:  datomic.catalog/create-database, delete-database
;;   - log:      datomic.log/append (pod tail appends with :prev), extend-tree + adopt-root (log tree)
;;   - index:    datomic.index/merge-db (index, fulltext and history trees, ref-index-root)
;;   - garbage:  what merge-db, adopt-root and pod resets publish as :datomic.garbage/mark, recorded
;;               by datomic.garbage/mark-garbage (gc tree, ref-gc-root), as the transactor does
;;   - restore:  datomic.backup/backup + restore (a database whose db-id carries another name)
;; What the transactor would do between these calls (transaction processing) is datomic.db's own
;; with-tx+opts. The only choices made here are WHEN to index, segment the log and flush garbage.
;;
;; Usage (stdout: the manifest as EDN on the last line):
;;   java -cp <peer classpath>:test/peer/src clojure.main -m dtx.gen-storage '<config edn>'
;; config: {:uri "datomic:sql://?jdbc:postgresql://..."          main storage
;;          :scratch-uri "datomic:sql://?jdbc:postgresql://..."  a second, empty storage (restore source)
;;          :backup-dir "/abs/dir"                              where backups go
;;          :scale 1}                                           size multiplier (bench: larger)
(ns dtx.gen-storage
  (:require [datomic.api :as d]
            [datomic.uri :as uri]
            [datomic.coordination :as coord]
            [datomic.catalog :as catalog]
            [datomic.backup :as backup]
            [datomic.domain :as domain]
            [datomic.log :as log]
            [datomic.db :as db]
            [datomic.index :as index]
            [datomic.db-io :as dbio]
            [datomic.garbage :as garbage]
            [datomic.cluster :as cluster]
            [datomic.process.events :as events]
            [dtx.referee :as referee]
            [clojure.edn :as edn]
            [clojure.string :as str]
            [clojure.java.io :as io]))

(set! *warn-on-reflection* false)

;; ------------------------------------------------------------------ garbage marking
;; The transactor subscribes datomic.garbage's mark handler to :datomic.garbage/mark events. We do
;; the same, with small leaf/dir sizes so that the test storage gets several gc leaves and dirs
;; (Datomic's defaults are 1000 ids a leaf and 800 leaves a dir).
(def gc-leaf-size 40)
(def gc-dir-size 3)
(def lookups (atom {}))

(defn install-mark-handler! []
  (events/subscribe ::mark :datomic.garbage/mark
                    (fn [{:keys [cluster garbage]}]
                      (when (seq garbage)
                        (let [ol (or (get @lookups cluster)
                                     (get (swap! lookups assoc cluster (domain/system-cache-olookup cluster)) cluster))]
                          (garbage/mark-garbage cluster ol garbage gc-leaf-size gc-dir-size))))))

;; ------------------------------------------------------------------ databases
(defn open-db
  "Creates (or, with :create? false, opens) database `name` in the storage of `base-uri` and
   returns a context with its cluster, object lookup, log and current db value."
  [sys base-uri name & {:keys [create?] :or {create? true}}]
  (let [conf (uri/parse-db (referee/with-name base-uri name))
        _ (when create?
            (let [r (catalog/create-database sys conf)]
              (when-not (:created r) (throw (ex-info "create-database failed" r)))))
        dconf (coord/resolve-db-name conf)
        db-id (:db-id dconf)
        cl (backup/create-cluster dconf 4)
        ol (domain/system-cache-olookup cl)
        _ (swap! lookups assoc cl ol)
        {:keys [log]} (log/ensure-index-and-log cl ol db-id)]
    (atom {:name name :uri (:uri conf) :base-uri base-uri :db-id db-id :cl cl :ol ol :log log
           :db (dbio/load-db-from-basis cl ol db-id) :txes 0 :index-jobs 0})))

(defn transact!
  "Processes tx-data as the transactor does (datomic.db/with-tx+opts) and appends it to the log
   tail pod (datomic.log/append: a new tail row linked by :prev)."
  [ctx tx-data]
  (let [{:keys [db log cl]} @ctx
        {:keys [db-after tx-data]} (db/with-tx+opts db tx-data {})
        rec {:id (d/squuid) :t (.basisT ^datomic.Database db-after) :data (vec tx-data)}
        log' (log/append log cl [{:fressianed-tx (log/fressianed-tx rec) :id (:id rec) :tx rec}])]
    (swap! ctx assoc :db db-after :log log')
    (swap! ctx update :txes inc)
    db-after))

(def ^:dynamic *log-leaf-bytes*
  "Target size of a log leaf: Datomic's own datomic.log/segment-threshold (54000). Only the bench
   database (bench mode) uses smaller leaves, to reach tens of thousands of segments in minutes."
  log/segment-threshold)

(defn segment-log!
  "Moves the log tail into the log tree (datomic.log/extend-tree + adopt-root, as the transactor's
   log writer does) and publishes the replaced root/dir as garbage; adopt-root's pod reset hands
   the old tail rows to the pod garbage handler."
  [ctx]
  (let [{:keys [cl ol]} @ctx
        lg (log/find-log cl ol)
        tail (:tail lg)]
    (when-not (log/tail-empty? tail)
      (let [{:keys [root-id garbage-ids]} (log/extend-tree cl ol (get-in lg [:desc :d/r]) log/dir-threshold
                                                           (log/create-leaves *log-leaf-bytes* tail))
            lg' (log/adopt-root lg cl root-id (last (map :t (:txes tail))))]
        (events/publish {:key :datomic.garbage/mark :cluster cl :garbage garbage-ids})
        (swap! ctx assoc :log lg')))))

(defn index!
  "An indexing job as the transactor runs it: segment the log, then datomic.index/merge-db on the
   db prepared for indexing (it writes the new trees, swings ref-index-root and publishes the
   superseded nodes as garbage), then adopt the new index."
  [ctx]
  (segment-log! ctx)
  (let [{:keys [cl ol db]} @ctx
        prep (db/prepare-for-indexing db)
        {:keys [new-index]} (index/merge-db cl ol prep (.getNextT ^datomic.db.IDb prep))
        db' (db/complete-indexing prep new-index)]
    (swap! ctx assoc :db db')
    (swap! ctx update :index-jobs inc)))

(defn flush-garbage! [ctx]
  (let [{:keys [cl ol]} @ctx]
    (await garbage/garbage-agent)
    (garbage/flush-garbage cl ol)))

(defn pending-garbage [ctx]
  (await garbage/garbage-agent)
  (vec (mapcat :vals (get @garbage/garbage-agent (:cl @ctx)))))

;; ------------------------------------------------------------------ data
(def words
  (str/split (str "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november "
                  "oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu datomic "
                  "storage segment index log garbage fulltext lucene postgres transactor peer catalog "
                  "tree root leaf branch squuid fressian backup restore purge sweep report footprint")
             #" "))

(defn sentence
  "n words; a third of them carry a number, so the fulltext index has a large vocabulary."
  [^java.util.Random rnd n]
  (str/join " " (repeatedly n #(let [w (nth words (.nextInt rnd (count words)))]
                                 (if (zero? (.nextInt rnd 3)) (str w (.nextInt rnd 5000)) w)))))

(def schema
  [{:db/ident :person/email :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
   {:db/ident :person/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/index true}
   {:db/ident :person/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
   {:db/ident :person/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
   {:db/ident :person/tag :db/valueType :db.type/keyword :db/cardinality :db.cardinality/many}
   {:db/ident :person/code :db/valueType :db.type/uuid :db/cardinality :db.cardinality/one :db/unique :db.unique/value}
   {:db/ident :doc/title :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/fulltext true}
   {:db/ident :doc/body :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/fulltext true}
   {:db/ident :doc/author :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}
   {:db/ident :doc/score :db/valueType :db.type/double :db/cardinality :db.cardinality/one}
   {:db/ident :doc/at :db/valueType :db.type/instant :db/cardinality :db.cardinality/one}])

(defn people-tx [^java.util.Random rnd prefix from n]
  (vec (for [i (range from (+ from n))]
         (cond-> {:db/id (str "p" i)
                  :person/email (str prefix "-" i "@example.com")
                  :person/name (str "Person " prefix " " i " " (sentence rnd 2))
                  :person/age (long (+ 18 (.nextInt rnd 60)))
                  :person/tag (vec (take (inc (.nextInt rnd 3)) (shuffle [:a :b :c :d :e])))
                  :person/code (d/squuid)}
           (> i from) (assoc :person/friend [(str "p" (dec i))])
           (= i from 0) identity
           (and (= i from) (pos? i)) (assoc :person/friend [[:person/email (str prefix "-" (dec i) "@example.com")]])))))

(defn docs-tx [^java.util.Random rnd prefix n words-per-doc authors]
  (vec (for [i (range n)]
         {:doc/title (str prefix " " (sentence rnd 4))
          :doc/body (sentence rnd words-per-doc)
          :doc/author [:person/email (str prefix "-" (.nextInt rnd authors) "@example.com")]
          :doc/score (.nextDouble rnd)
          :doc/at (java.util.Date. (+ 1700000000000 (* 1000 (.nextInt rnd 100000))))})))

(defn churn-tx
  "Retractions and updates, so the history indexes get entries."
  [^java.util.Random rnd prefix n people]
  (vec (mapcat (fn [i]
                 (let [e [:person/email (str prefix "-" i "@example.com")]]
                   [[:db/add e :person/age (long (+ 18 (.nextInt rnd 60)))]
                    [:db/retract e :person/tag :a]
                    [:db/add e :person/tag :z]]))
               (take (min n people) (distinct (repeatedly #(.nextInt rnd people)))))))

(defn populate!
  "Schema, people, documents with fulltext text, updates; `jobs` index jobs; the last batch stays
   in the log tail (no index job after it)."
  [ctx rnd prefix {:keys [people docs words-per-doc batches jobs]}]
  (transact! ctx schema)
  (doseq [b (range batches)]
    (let [per (quot people batches)]
      (transact! ctx (people-tx rnd prefix (* b per) per))
      (doseq [part (partition-all 50 (docs-tx rnd prefix (quot docs batches) words-per-doc (* (inc b) per)))]
        (transact! ctx (vec part)))
      (transact! ctx (churn-tx rnd prefix 20 (* (inc b) per))))
    (when (< b jobs) (index! ctx)))
  ;; the log tail: transactions after the last index job
  (transact! ctx (churn-tx rnd prefix 5 people))
  (transact! ctx [{:person/email (str prefix "-tail@example.com") :person/name "in the log tail only"}]))

;; ------------------------------------------------------------------ ground truth
(defn backup-keys
  "The value rows Datomic's own datomic.backup/backup copies for the db (its treewalk)."
  [ctx dir]
  (referee/backup-keys (:base-uri @ctx) (:name @ctx) dir))

(defn summary [ctx]
  (let [{:keys [cl ol db-id]} @ctx] (referee/summary-of cl ol db-id)))

;; ------------------------------------------------------------------ bench
(defn generate-bench
  "A big database for bench/storage.mjs: `entities` items (about 5 datoms each) in transactions of
   10, an index job every 2000 transactions, the log cut into leaves of `leaf-bytes` (Datomic's own
   create-leaves/extend-tree with a smaller target than the transactor's 54000: about one
   transaction a leaf, so the row count reaches tens of thousands in minutes), plus a small second
   database to keep."
  [{:keys [uri entities leaf-bytes] :or {entities 1000000 leaf-bytes 2000}}]
  (install-mark-handler!)
  (binding [*log-leaf-bytes* leaf-bytes]
    (let [rnd (java.util.Random. 7)
          sys (referee/system-cluster uri)
          big (open-db sys uri "big")
          small (open-db sys uri "small")
          per 10
          txes (quot entities per)]
      (doseq [c [big small]]
        (transact! c [{:db/ident :item/sku :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
                      {:db/ident :item/n :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
                      {:db/ident :item/tag :db/valueType :db.type/keyword :db/cardinality :db.cardinality/many}
                      {:db/ident :item/price :db/valueType :db.type/double :db/cardinality :db.cardinality/one}
                      {:db/ident :item/note :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/fulltext true}]))
      (transact! small [{:item/sku "only" :item/n 1}])
      (index! small)
      (doseq [b (range txes)]
        (transact! big (vec (for [i (range per)]
                              (cond-> {:item/sku (str "sku-" b "-" i) :item/n (long i) :item/tag [:a (keyword (str "t" (.nextInt rnd 50)))]
                                       :item/price (.nextDouble rnd)}
                                (zero? (mod (+ b i) 5)) (assoc :item/note (sentence rnd 12))))))
        (when (zero? (mod (inc b) 2000))
          (index! big)
          (binding [*out* *err*] (println "bench: transactions" (inc b) "of" txes))))
      (index! big)
      (segment-log! big)
      (flush-garbage! big)
      {:databases {:big {:name "big" :db-id (:db-id @big) :txes (:txes @big) :index-jobs (:index-jobs @big)}
                   :small {:name "small" :db-id (:db-id @small)}}
       :entities entities
       :leaf-bytes leaf-bytes})))

;; ------------------------------------------------------------------ main
(defn generate [{:keys [uri scratch-uri backup-dir scale] :or {scale 1}}]
  (install-mark-handler!)
  (let [rnd (java.util.Random. 42)
        sys (referee/system-cluster uri)
        scratch-sys (referee/system-cluster scratch-uri)
        sizes {:people (* scale 300) :docs (* scale 1600) :words-per-doc 80 :batches 4 :jobs 3}
        alpha (open-db sys uri "alpha")
        _ (populate! alpha rnd "alpha" sizes)
        beta (open-db sys uri "beta")
        _ (populate! beta rnd "beta" (assoc sizes :people (* scale 200) :docs (* scale 300) :jobs 2))
        ;; a database restored from a backup: written in the scratch storage as "src", backed up,
        ;; restored here as "restored" (its db-id keeps the name "src")
        src (open-db scratch-sys scratch-uri "src")
        _ (populate! src rnd "src" (assoc sizes :people (* scale 100) :docs (* scale 200) :jobs 2))
        src-dir (str backup-dir "/src")
        src-keys (backup-keys src src-dir)
        src-t (d/basis-t (dbio/load-db-from-basis (:cl @src) (:ol @src) (:db-id @src)))
        restore-uri (referee/with-name uri "restored")
        rf (backup/restore (str "file:" src-dir) restore-uri (fn [& _]) src-t false)
        _ (when-not (= :succeeded (deref rf 600000 :timeout)) (throw (ex-info "restore failed" {})))
        restored (open-db sys uri "restored" :create? false)
        ;; a database that is deleted from the catalog (as d/delete-database does) after its life
        gone (open-db sys uri "gone")
        _ (populate! gone rnd "gone" (assoc sizes :people (* scale 100) :docs (* scale 100) :jobs 2))
        ;; an empty database: created, never transacted to
        empty-db (open-db sys uri "empty")
        ctxs {:alpha alpha :beta beta :restored restored :gone gone :empty empty-db}
        _ (doseq [c [alpha beta gone restored]] (segment-log! c))
        ;; more transactions after the last segmenting, so each log tail is non-empty
        _ (doseq [[c p] [[alpha "alpha"] [beta "beta"] [gone "gone"]]]
            (transact! c [{:person/email (str p "-late@example.com") :person/name "late"}]))
        ;; garbage: alpha's and gone's pending ids are flushed into their gc trees; beta's are
        ;; left pending and are lost when this JVM exits (as on a transactor crash): orphans.
        _ (flush-garbage! alpha)
        _ (flush-garbage! gone)
        lost (pending-garbage beta)
        dbs (into {}
                  (for [[k c] ctxs]
                    [k {:name (:name @c) :db-id (:db-id @c) :txes (:txes @c) :index-jobs (:index-jobs @c)
                        :backup-keys (backup-keys c (str backup-dir "/" (name k)))
                        :summary (summary c)}]))
        _ (catalog/delete-database sys "gone")]
    {:peer-version (second (re-find #"peer-([0-9.]+)\.jar" (str (io/resource "datomic/api__init.class"))))
     :databases dbs
     :deleted [(:db-id @gone)]
     :lost-garbage {:beta lost}
     :src {:db-id (:db-id @src) :backup-keys src-keys :t src-t}
     :gc {:leaf-size gc-leaf-size :dir-size gc-dir-size}}))

(defn -main [config]
  (let [cfg (edn/read-string config)
        m (if (:bench cfg) (generate-bench (assoc (:bench cfg) :uri (:uri cfg))) (generate cfg))]
    (shutdown-agents)
    (println (referee/json m))
    (System/exit 0)))
