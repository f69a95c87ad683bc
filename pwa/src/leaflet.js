// Leaflet and its stylesheet in one lazily loaded chunk.
import L from "leaflet";
import "leaflet/dist/leaflet.css";

export default L;
