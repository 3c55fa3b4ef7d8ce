;; What the fake distribution's bin/datomic runs: the same functions of the real peer library that a
;; real Datomic Pro bin/datomic calls, so tests exercise real Datomic code (not an imitation).
;;   gc-deleted-dbs <system-uri>    datomic.garbage/gc-deleted-dbs
(ns dtx.fake-datomic-cli
  (:require [datomic.garbage :as garbage]))

(defn -main [cmd & args]
  (let [code (try
               (case cmd
                 "gc-deleted-dbs" (do (garbage/gc-deleted-dbs {:uri (first args)}) 0))
               (catch Throwable t
                 (println (str (.getName (class t)) ": " (.getMessage t)))
                 1))]
    (flush)
    (shutdown-agents)
    (System/exit code)))
