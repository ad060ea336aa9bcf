-- The web page looks up a patient's history by Patient ID and issuer.
CREATE INDEX series_patient ON series (patient_id, issuer_of_patient_id);
