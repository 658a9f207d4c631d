"""French words and phrases about social-centre work, for the synthetic corpus.

Lists are in decreasing frequency order: the generator draws from them with
Zipf-like weights (rank r has weight 1 / r^s), so the head of each list is
common and its tail rare, as in real text.
"""

from __future__ import annotations

# (singular, plural) subject → verbs agree with it.
SUBJECTS_SINGULAR: tuple[str, ...] = (
    "Le centre social", "L'équipe d'animation", "La référente familles", "Le groupe d'habitants",
    "L'animatrice du secteur jeunes", "Le conseil de maison", "L'association", "Le collectif de parents",
    "La coordinatrice", "Le comité de pilotage", "L'animateur famille", "Cette action", "Ce projet",
    "La structure", "Le conseil d'administration", "L'atelier", "Le secteur enfance",
    "Le service insertion", "La commission d'habitants", "Chaque session", "L'espace de vie sociale",
    "La maison de quartier", "Un intervenant extérieur", "Une conseillère en économie sociale et familiale",
    "La directrice", "Le référent jeunesse", "L'éducatrice de jeunes enfants", "La médiatrice sociale",
    "Le bureau de l'association", "Un bénévole retraité", "L'écrivain public", "La ludothécaire",
)
SUBJECTS_PLURAL: tuple[str, ...] = (
    "Les habitants du quartier", "Les bénévoles", "Les familles", "Les parents", "Les jeunes",
    "Les animateurs", "Les partenaires", "Les participants", "Les travailleurs sociaux", "Les seniors",
    "Les mamans", "Les adolescents", "Les enfants", "Les élus", "Les professionnels", "Les participantes",
    "Les retraités", "Les membres du collectif", "Les administrateurs", "Les salariés du centre",
    "Les habitantes", "Les grands-parents", "Les jeunes adultes", "Les personnes accueillies",
)

VERBS: tuple[tuple[str, str], ...] = (
    ("propose", "proposent"), ("organise", "organisent"), ("accompagne", "accompagnent"),
    ("favorise", "favorisent"), ("développe", "développent"), ("met en place", "mettent en place"),
    ("anime", "animent"), ("soutient", "soutiennent"), ("renforce", "renforcent"),
    ("coordonne", "coordonnent"), ("valorise", "valorisent"), ("encourage", "encouragent"),
    ("construit", "construisent"), ("prépare", "préparent"), ("évalue", "évaluent"),
    ("porte", "portent"), ("découvre", "découvrent"), ("partage", "partagent"),
    ("imagine", "imaginent"), ("mobilise", "mobilisent"), ("pilote", "pilotent"),
    ("co-construit", "co-construisent"), ("finance", "financent"), ("relance", "relancent"),
    ("s'approprie", "s'approprient"), ("investit", "investissent"), ("améliore", "améliorent"),
    ("facilite", "facilitent"), ("expérimente", "expérimentent"), ("pérennise", "pérennisent"),
    ("a initié", "ont initié"), ("a développé", "ont développé"), ("a mis en œuvre", "ont mis en œuvre"),
    ("souhaite poursuivre", "souhaitent poursuivre"), ("peut renforcer", "peuvent renforcer"),
)

INFINITIVES: tuple[str, ...] = (
    "Favoriser", "Renforcer", "Développer", "Valoriser", "Soutenir", "Accompagner", "Créer",
    "Permettre", "Mettre en place", "Encourager", "Mobiliser", "Faire émerger", "Améliorer",
    "Pérenniser", "Consolider", "Promouvoir", "Rendre visible", "Faciliter", "Organiser",
    "Proposer", "Partager", "Expérimenter", "Évaluer", "Co-construire", "Repérer", "Accueillir",
)

# Topics: the noun phrases the texts are about.
TOPICS: tuple[str, ...] = (
    "le lien social", "la parentalité", "la participation des habitants", "l'accompagnement scolaire",
    "l'aide aux devoirs", "des ateliers parents-enfants", "un jardin partagé", "la lutte contre l'isolement",
    "l'insertion professionnelle", "le vivre-ensemble", "un café des parents", "des sorties familiales",
    "des temps d'échange", "l'insertion sociale", "la citoyenneté", "des cours de français",
    "le vieillissement", "l'accès aux droits", "un atelier cuisine", "des repas partagés",
    "une fête de quartier", "la mixité sociale", "le soutien à la fonction parentale", "l'accès au numérique",
    "la prévention santé", "le bien-être", "l'estime de soi", "la mobilité", "des vacances familles",
    "une épicerie solidaire", "les liens intergénérationnels", "le maintien à domicile",
    "des permanences administratives", "un lieu d'accueil enfants-parents", "l'accueil des tout-petits",
    "des ateliers socio-esthétiques", "la précarité énergétique", "le logement", "le développement durable",
    "le compostage", "une ressourcerie", "un repair café", "l'égalité entre les filles et les garçons",
    "la lutte contre les discriminations", "les projets de jeunes", "un chantier éducatif",
    "un conseil de jeunes", "un accueil de loisirs", "des activités périscolaires", "des groupes de parole",
    "des conférences-débats", "la médiation", "la prévention des conflits", "la tranquillité publique",
    "une animation de rue", "des animations au pied des immeubles", "un spectacle intergénérationnel",
    "la transmission des savoirs", "un réseau d'échanges réciproques de savoirs", "la culture",
    "une sortie culturelle", "un atelier théâtre", "un atelier d'écriture", "une bibliothèque de rue",
    "la lecture", "le sport", "la gym douce", "une marche collective", "l'alimentation", "la nutrition",
    "un potager", "des paniers solidaires", "l'emploi", "la formation", "le bénévolat",
    "l'engagement citoyen", "les initiatives d'habitants", "la démocratie participative",
    "un budget participatif", "le diagnostic partagé", "le projet social", "la gouvernance associative",
    "l'autonomie des familles", "la scolarité des enfants", "la réussite éducative", "le décrochage scolaire",
    "l'orientation des jeunes", "la santé mentale", "les addictions", "l'accès aux soins", "le handicap",
    "l'inclusion", "le répit des aidants", "les aidants familiaux", "l'isolement des personnes âgées",
    "des visites à domicile", "le transport solidaire", "un atelier vélo", "une auto-école sociale",
    "la garde d'enfants", "la petite enfance", "une crèche parentale", "un journal de quartier",
    "une web radio", "une exposition photo", "un projet vidéo", "la fête des voisins", "un vide-grenier",
    "une bourse aux vêtements", "un atelier couture", "un atelier tricot", "une ludothèque",
    "des jeux de société", "une soirée jeux", "un espace numérique", "l'initiation à l'informatique",
    "les démarches en ligne", "l'accompagnement budgétaire", "la gestion du budget familial",
    "le surendettement", "l'alphabétisation", "les savoirs de base", "l'accueil des primo-arrivants",
    "l'intégration des familles migrantes", "la laïcité", "l'égalité femmes-hommes",
    "les violences intrafamiliales", "les droits des femmes", "la sexualité", "la contraception",
    "les grossesses précoces", "la socio-esthétique", "l'image de soi", "la confiance en soi",
    "les compétences parentales", "l'autorité parentale", "la relation parents-enfants",
    "les écrans et les enfants", "le harcèlement scolaire", "la sécurité routière", "les premiers secours",
    "la biodiversité", "les économies d'énergie", "le tri des déchets", "le gaspillage alimentaire",
    "les circuits courts", "une AMAP", "un marché de producteurs", "le tourisme social",
    "des week-ends en famille", "un séjour à la mer", "une sortie à la montagne", "des mini-camps",
    "le chantier loisirs", "la fresque participative", "un atelier graff", "la musique assistée par ordinateur",
    "un studio d'enregistrement", "la danse hip-hop", "le football de rue", "la boxe éducative",
    "l'accès à la culture", "les pratiques amateurs", "le patrimoine local", "la mémoire du quartier",
    "les récits de vie", "un recueil de recettes", "un livre de contes", "la langue des signes",
    "l'éveil musical", "la motricité", "le jeu libre", "l'accueil du mercredi",
)

COMPLEMENTS: tuple[str, ...] = (
    "pour les familles du quartier", "auprès des habitants", "en lien avec la CAF",
    "avec le soutien du Conseil départemental", "chaque mercredi après-midi", "pendant les vacances scolaires",
    "le samedi matin", "en soirée", "tout au long de l'année", "depuis plusieurs années",
    "dans le cadre du contrat de ville", "dans le cadre du projet social", "afin de lutter contre l'isolement",
    "afin de favoriser l'autonomie", "afin que chacun puisse trouver sa place",
    "pour que les parents prennent confiance", "sur l'ensemble du territoire", "dans les quartiers prioritaires",
    "au sein du centre social", "hors les murs", "au pied des immeubles", "à la salle des fêtes",
    "avec l'école élémentaire du quartier", "avec le collège", "en partenariat avec la mairie",
    "avec les associations locales", "grâce à l'implication des bénévoles",
    "en direction des jeunes de 11 à 17 ans", "pour les enfants de 6 à 11 ans",
    "pour les personnes âgées isolées", "en s'appuyant sur les compétences des habitants",
    "qu'ils soient adhérents ou non", "jusqu'à la fin de l'année scolaire", "lorsqu'ils en ont besoin",
    "d'une manière conviviale", "de façon régulière", "en petits groupes", "à raison de deux séances par mois",
    "avec l'appui d'une psychologue", "en présence des accompagnateurs", "sur inscription",
    "gratuitement", "pour une participation symbolique", "avec le bailleur social",
    "en lien avec la médiathèque", "au local jeunes", "dans les locaux de l'école", "à la maison des associations",
    "dans une démarche d'éducation populaire", "selon les envies des participants",
    "pour rompre la solitude", "afin d'ouvrir le centre sur son environnement", "avec la PMI",
    "avec la mission locale", "en lien avec Pôle emploi", "avec les travailleurs sociaux du secteur",
    "pendant l'été", "lors de la semaine bleue", "à l'occasion de la fête de fin d'année",
    "sur le marché du dimanche", "dans les halls d'immeubles", "au jardin des Tilleuls",
    "en milieu rural", "sur les communes voisines", "dans les hameaux isolés",
)

CONNECTORS: tuple[str, ...] = (
    "Par ailleurs", "Ainsi", "De plus", "En outre", "Cependant", "D'autre part", "Chaque année",
    "Au fil des séances", "Dans un premier temps", "Dans un second temps", "Enfin", "Aujourd'hui",
    "Depuis 2012", "En 2014", "Suite au constat de l'isolement de certaines familles",
    "À partir du diagnostic partagé", "Lors des réunions de préparation", "Quand le groupe s'est constitué",
    "Au démarrage du projet", "Avec l'arrivée de nouvelles familles", "Malgré des moyens limités",
    "À l'issue de chaque rencontre", "En fin d'année", "Pour la deuxième année consécutive",
)

# Whole sentences, mostly for the "Résultat …" and "Limites" sections.
OUTCOMES: tuple[str, ...] = (
    "Le lien social s'est développé entre habitants.",
    "Les habitants se sentent considérés et reconnus.",
    "Un réseau d'entraide s'est constitué.",
    "Les liens entre les familles se sont renforcés.",
    "Les participants se connaissent mieux et échangent davantage.",
    "Un nouveau public fréquente le centre social.",
    "Les professionnels sont mieux identifiés sur le terrain.",
    "Les parents osent davantage prendre la parole.",
    "Certaines femmes sont devenues motrices dans le groupe.",
    "La fréquentation a augmenté de manière significative.",
    "Les partenaires nous sollicitent désormais pour de nouveaux projets.",
    "L'image du quartier a évolué positivement.",
    "Les enfants ont progressé dans leur scolarité.",
    "Les personnes âgées sortent davantage de chez elles.",
    "Plusieurs jeunes se sont engagés comme bénévoles.",
    "Le budget reste fragile et dépend des appels à projets.",
    "Les heures ne conviennent pas aux parents qui travaillent.",
    "Il est difficile de mobiliser les pères.",
    "Le turn-over des bénévoles fragilise l'action.",
    "Les locaux sont trop petits pour accueillir tout le monde.",
    "La communication auprès des familles reste à améliorer.",
    "Ce sont souvent les mêmes familles qui participent.",
    "L'action ne convient pas à tout le monde.",
    "Le transport reste un frein pour les habitants des hameaux.",
    "La barrière de la langue limite la participation de certaines familles.",
    "C'est un véritable plus pour le secteur.",
    "Nous avons pu constater une vraie dynamique collective.",
    "Qu'on le veuille ou non, l'action repose sur quelques personnes.",
)

TITLE_HEADS: tuple[str, ...] = (
    "Café des parents", "Jardin partagé", "Atelier parents-enfants", "Aide aux devoirs",
    "Accompagnement scolaire", "Sortie familles", "Fête de quartier", "Repas partagés",
    "Atelier cuisine", "Ateliers socio-linguistiques", "Lieu d'accueil enfants-parents", "Séjour familles",
    "Chantier jeunes", "Bulle détente", "Infos familles", "Résidence jeunes", "Atelier numérique",
    "Épicerie solidaire", "Repair café", "Troc de plantes", "Parentalité et petite enfance",
    "Les grossesses juvéniles", "Ateliers parents-enfants", "Accueil parents enfants 0-3 ans",
    "Rencontrer des familles", "Animation de rue", "Conseil de jeunes", "Vacances pour tous",
    "Semaine bleue", "Bibliothèque de rue", "Gym douce seniors", "Marche solidaire",
    "Cours de français", "Permanence accès aux droits", "Écrivain public", "Point information jeunesse",
    "Ludothèque itinérante", "Soirée jeux", "Atelier couture", "Web radio du quartier",
    "Journal des habitants", "Fresque participative", "Visites de convivialité", "Transport solidaire",
    "Budget participatif", "Fête des voisins", "Bourse aux vêtements", "Espace de vie sociale",
    "Projet \"le peloton de la construction\"", "Sortie Turin", "Collectif d'habitants",
    "Prévention santé", "Atelier mémoire", "Théâtre forum", "Danse hip-hop", "Football de rue",
)

TITLE_SUFFIXES: tuple[str, ...] = (
    ": un outil de lien social", ": lien social et participation citoyenne", " - action d'insertion",
    " : socio-esthétique", " au quartier", " pour tous", " en famille", " 2.0", " : on s'y retrouve !",
    " \"les pieds dans la Fontaine\"", " et vivre-ensemble", ": l'affaire de tous", " intergénérationnel",
    " hors les murs", " : d'une génération à l'autre",
)

STRUCTURE_PREFIXES: tuple[str, ...] = (
    "CENTRE SOCIAL", "Centre social", "Centre socioculturel", "CSC", "CENTRE SOCIOCULTUREL",
    "MJC-Centre Social", "Espace", "Maison des habitants", "Maison de quartier", "CS",
    "Centre social et culturel", "ESPACE SOCIAL ET CULTUREL", "Association",
)

STRUCTURE_NAMES: tuple[str, ...] = (
    "Albert Schweitzer", "Rosa Parks", "Jean Jaurès", "Victor Hugo", "Louise Michel", "Jacques Prévert",
    "Saint-Exupéry", "Robert Doisneau", "Mireille Moyon", "de la Fontaine", "Agora", "Claude Nougaro",
    "Jules Verne", "Nelson Mandela", "Simone Veil", "Pablo Picasso", "les Halles", "du Quartier Saint Martin",
    "Jaunais Blordière", "Communautaire", "des Romains", "la Passerelle", "l'Escale", "le Trait d'Union",
    "les Acacias", "les Tilleuls", "la Source", "l'Arche", "le Phare", "la Ruche", "les Coquelicots",
    "Marie Curie", "Aimé Césaire", "Léo Lagrange", "George Sand", "Colette", "Paul Éluard", "Émile Zola",
    "des Trois Cités", "du Val Fourré", "des Bruyères", "de la Roseraie", "Bellevue", "Beaulieu",
    "Montplaisir", "la Croix-Rousse", "du Pont-de-Pierre", "des Hauts-de-Garonne", "l'Oasis", "Arc-en-ciel",
)

# Extra keywords beyond the sample's, so the keyword facet has a long tail.
EXTRA_KEYWORDS: tuple[str, ...] = (
    "Lien social", "Culture", "Jeunesse", "Accès aux droits", "Numérique", "Sport", "Emploi / insertion",
    "Petite enfance", "Enfance", "Handicap", "Alimentation", "Environnement", "Égalité femmes-hommes",
    "Laïcité", "Langue française / FLE", "Budget / consommation", "Accompagnement scolaire",
    "Isolement", "Seniors", "Aidants", "Prévention", "Participation des habitants", "Bénévolat",
    "Animation de rue", "Jardins", "Habitat", "Énergie", "Mémoire / patrimoine", "Communication",
    "Médiation", "Violences", "Addictions", "Santé mentale", "Nutrition", "Mobilité internationale",
    "Économie sociale et solidaire", "Ruralité", "Politique de la ville", "Accueil", "Loisirs",
    "Formation", "Lecture / écriture", "Arts plastiques", "Musique", "Théâtre", "Danse", "Cinéma",
    "Sorties", "Séjours", "Fêtes", "Gouvernance", "Réseau", "Diagnostic", "Évaluation",
    "Autofinancement", "Chantiers", "Soutien à la fonction parentale", "Adolescence", "Discrimination",
    "Accès aux soins", "Sexualité", "Citoyenneté européenne", "Migrants", "Gens du voyage",
)

EXTRA_PUBLICS: tuple[str, ...] = ("Enfants", "Jeunes", "Seniors", "Adolescents", "Habitants du quartier")

EXTRA_PARTNERS: tuple[str, ...] = (
    "CAF", "Mairie", "CCAS", "Éducation nationale", "Associations locales", "Bailleur social",
    "ARS", "Pôle emploi", "Mission locale", "CARSAT", "MSA", "PMI", "Région", "État (DDCS)",
    "Fédération des centres sociaux", "Médiathèque", "Communauté de communes", "UDAF", "Collège",
    "Centre médico-social",
)

# The 101 départements, roughly by decreasing population (drawn with Zipf weights).
DEPARTMENTS: tuple[str, ...] = (
    "Nord", "Paris", "Bouches-du-Rhône", "Rhône", "Hauts-de-Seine", "Seine-Saint-Denis", "Gironde",
    "Yvelines", "Seine-et-Marne", "Val-de-Marne", "Haute-Garonne", "Pas-de-Calais", "Loire-Atlantique",
    "Essonne", "Val-d'Oise", "Hérault", "Isère", "Bas-Rhin", "Alpes-Maritimes", "Ille-et-Vilaine",
    "Moselle", "Var", "Seine-Maritime", "Haute-Savoie", "Finistère", "Oise", "Haut-Rhin", "Loire",
    "Maine-et-Loire", "Gard", "Meurthe-et-Moselle", "Morbihan", "Puy-de-Dôme", "Vendée", "Ain",
    "Calvados", "Marne", "Loiret", "Indre-et-Loire", "Sarthe", "Charente-Maritime", "Pyrénées-Atlantiques",
    "Manche", "Eure", "Somme", "Côtes-d'Armor", "Aisne", "Réunion", "Doubs", "Vaucluse", "Drôme",
    "Pyrénées-Orientales", "Savoie", "Haute-Vienne", "Vienne", "Côte-d'Or", "Saône-et-Loire", "Eure-et-Loir",
    "Mayenne", "Dordogne", "Tarn", "Loir-et-Cher", "Landes", "Allier",
    "Vosges", "Deux-Sèvres", "Charente", "Yonne", "Lot-et-Garonne", "Aude", "Cher", "Orne", "Aube",
    "Ardèche", "Ardennes", "Guadeloupe", "Martinique", "Aveyron", "Jura", "Corrèze", "Tarn-et-Garonne",
    "Haute-Saône", "Hautes-Pyrénées", "Nièvre", "Indre", "Alpes-de-Haute-Provence", "Gers", "Meuse",
    "Haute-Marne", "Haute-Loire", "Lot", "Guyane", "Hautes-Alpes", "Ariège", "Cantal", "Corse-du-Sud",
    "Haute-Corse", "Creuse", "Territoire de Belfort", "Lozère", "Mayotte",
)

CITY_WORDS: tuple[str, ...] = (
    "Montoir", "Saint-Herblain", "Rezé", "Villeneuve", "Bellevue", "Les Mureaux", "Grenoble", "Amiens",
    "Blois", "Annecy", "Chartres", "Poitiers", "Cherbourg", "Laon", "Marseille", "Nantes", "Lille",
    "Roubaix", "Tourcoing", "Vénissieux", "Villeurbanne", "Saint-Étienne", "Clermont-Ferrand", "Limoges",
)

# Concrete words of the long tail, cited as examples "(par exemple : …)": they make
# rare terms (small posting lists) next to the very common ones above.
RARE_WORDS: tuple[str, ...] = tuple("""
pétanque scrabble poterie vannerie mosaïque origami calligraphie broderie crochet aquarelle
sérigraphie marionnettes conte slam rap djembé chorale fanfare accordéon ukulélé karaoké
randonnée piscine escalade canoë kayak voile équitation pêche vélo rollers skate trottinette
badminton pingpong basket handball rugby judo karaté yoga pilates sophrologie relaxation
massage shiatsu réflexologie méditation qi-gong tai-chi zumba salsa tango valse country
confiture compote soupe crêpes galettes couscous tajine paella lasagnes quiche tarte gâteau
pain brioche chocolat smoothie tisane miel pommes poires prunes cerises fraises framboises
courgettes tomates potirons citrouilles radis salades poireaux carottes haricots aromates
compost lombricomposteur poulailler ruche abeilles nichoirs hôtel-à-insectes mare verger
semis boutures graines serre arrosoir brouette bêche râteau sécateur paillage purin
tablette smartphone ordinateur imprimante scanner courriel messagerie visio logiciel
tableur traitement-de-texte navigateur mot-de-passe cybersécurité réseaux-sociaux
CAF ameli impots.gouv France-Travail ANTS préfecture titre-de-séjour carte-vitale
CMU complémentaire mutuelle APL RSA prime-d'activité allocation quotient-familial
facture électricité chauffage isolation humidité moisissures punaises cafards
déménagement état-des-lieux bail caution quittance expulsion hébergement foyer
crèche halte-garderie assistante-maternelle nounou poussette biberon couches doudou
cartable trousse cahier dictée conjugaison multiplication fractions géométrie exposé
brevet baccalauréat Parcoursup apprentissage stage alternance CV lettre-de-motivation
entretien permis code-de-la-route covoiturage minibus navette tramway métro gare
kermesse brocante braderie carnaval loto tombola goûter pique-nique barbecue apéritif
bal guinguette cinéma-plein-air concert festival exposition vernissage salon forum
Noël Épiphanie galette-des-rois Chandeleur Pâques Ramadan Aïd Diwali Hanoukka Nouvel-An
Halloween Saint-Valentin fête-des-mères fête-des-pères 14-juillet vendanges moisson
montagne mer plage camping gîte refuge auberge chalet forêt lac rivière cascade falaise
Turin Barcelone Londres Bruxelles Genève Venise Lisbonne Berlin Amsterdam Séville
Mont-Saint-Michel Futuroscope Puy-du-Fou Versailles Louvre Carnac Étretat Chambord
""".split())
